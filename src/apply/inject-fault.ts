/** Carries out a fault's actions (src/plan/faults.ts) on a running lab; returns what was done, in words. */
import type { FaultAction } from '../plan/faults.js';
import { joinCommand } from '../plan/render-script.js';
import { FaultFailedError } from './errors.js';
import { killFrozen, type HostView } from './host.js';
import type { CommandRunner } from './runner.js';
import { startOptions } from './execute-plan.js';

async function killPrograms(action: Extract<FaultAction, { kind: 'kill' }>, host: HostView): Promise<string> {
  const victims: number[] = [];
  for (const pid of await host.pidsIn([action.namespace])) {
    const program = await host.programOf(pid);
    if (program && action.programs.includes(program)) victims.push(pid);
  }
  await killFrozen(host, victims);
  const killed = victims.length;
  return killed > 0
    ? `${action.node}: killed ${killed} ${action.programs.join('/')} process(es)`
    : `${action.node}: no ${action.programs.join('/')} was running`;
}

/** A command as the user would type it inside the node: without `ip netns exec NS`. */
const shown = (argv: string[]) => joinCommand(argv[1] === 'netns' ? argv.slice(4) : argv);

export async function injectFault(actions: readonly FaultAction[], runner: CommandRunner, host: HostView): Promise<string[]> {
  const done: string[] = [];
  for (const action of actions) {
    if (action.kind === 'kill') {
      done.push(await killPrograms(action, host));
    } else if (action.kind === 'start') {
      try {
        await runner.start(action.step.argv, startOptions(action.step));
      } catch (error) {
        throw new FaultFailedError(`${action.step.node}: ${joinCommand(action.step.argv)}: ${(error as Error).message}`);
      }
      done.push(`${action.step.node}: started ${action.step.title}`);
    } else {
      const result = await runner.run(action.argv, action.input ? { input: `${action.input.join('\n')}\n` } : {});
      const accepted = action.accept !== undefined && result.stderr.includes(action.accept);
      if (result.exitCode !== 0 && !accepted) {
        throw new FaultFailedError(`${action.node}: ${joinCommand(action.argv)}: ${result.stderr.trim() || `exit status ${result.exitCode}`}`);
      }
      done.push(`${action.node}: ${accepted ? 'nothing to do for' : 'ran'} ${shown(action.argv)}${action.input ? ` (${action.input.join('; ')})` : ''}`);
    }
  }
  return done;
}
