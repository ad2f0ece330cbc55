/**
 * The machine the integration tests build labs on: this host when its kernel has IPVS, or the resident
 * microVM the suite starts (LVSLAB_GUEST; the tests then run on the host and only the lab's commands
 * run in the guest). Tests reach it only through these, never with a process or file of their own.
 */
import { machineLifecycle } from '../../src/session/lab-machine.js';
import type { RunResult, StartOptions } from '../../src/apply/runner.js';
import { killFrozen } from '../../src/apply/host.js';
import { ipvsOnHost } from '../../src/vm/choose-runner.js';

/** Fails the run (never skips) unless labs can be built: a resident guest that answers, or root and IPVS here. */
export async function requireLabMachine(): Promise<void> {
  if (process.env.LVSLAB_GUEST) {
    await machineLifecycle().host.listNamespaces();
    return;
  }
  if (process.getuid?.() !== 0) throw new Error('the integration suite needs root');
  const ipvs = await ipvsOnHost();
  if (!ipvs.usable) throw new Error(`the integration suite needs IPVS: ${ipvs.why}. Run it through \`npm test\`, which uses the microVM.`);
}

/** Runs argv on the lab machine; a failure throws with its stderr. */
export async function onLab(argv: string[], input?: string): Promise<RunResult> {
  const result = await machineLifecycle().runner.run(argv, { input });
  if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} exited with status ${result.exitCode}: ${result.stderr.trim()}`);
  return result;
}

/** Runs argv on the lab machine whatever its exit status. */
export function tryOnLab(argv: string[]): Promise<RunResult> {
  return machineLifecycle().runner.run(argv);
}

export const inNs = (ns: string, ...argv: string[]) => onLab(['ip', 'netns', 'exec', ns, ...argv]);

/** Starts a daemon on the lab machine (in the background, outliving this test's process). */
export async function startOnLab(argv: string[], options: StartOptions = {}): Promise<void> {
  await machineLifecycle().runner.start(argv, options);
}

/** Kills the processes of a namespace whose command line contains a word (every process without one). */
export async function killIn(namespace: string, word?: string): Promise<number> {
  const { host } = machineLifecycle();
  let pids = await host.pidsIn([namespace]);
  if (word !== undefined) {
    const matching = new Set((await tryOnLab(['pgrep', '-f', word])).stdout.split('\n').filter(Boolean).map(Number));
    pids = pids.filter((pid) => matching.has(pid));
  }
  await killFrozen(host, pids);
  return pids.length;
}

/** Whether a path exists on the lab machine. */
export async function existsOnLab(path: string): Promise<boolean> {
  return (await tryOnLab(['test', '-e', path])).exitCode === 0;
}
