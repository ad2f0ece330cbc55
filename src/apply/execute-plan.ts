/**
 * Stage 4, apply: runs a plan's steps in order through the CommandRunner. A failing step rolls back
 * everything the plan creates (its namespaces, with the processes in them) before the error surfaces.
 */
import type { Plan, Step } from '../plan/build-plan.js';
import { StepFailedError } from './errors.js';
import type { HostView } from './host.js';
import type { CommandRunner } from './runner.js';
import { removeNamespaces } from './teardown.js';

export interface ExecuteOptions {
  runner: CommandRunner;
  host: HostView;
  /** Told each step as it starts. */
  onStep?: (step: Step, index: number, total: number) => void;
  /** Told which modules this run loaded itself, so that they can be unloaded when no lab needs them. */
  onModulesLoaded?: (modules: string[]) => Promise<void>;
}

async function runStep(step: Step, { runner, host, onModulesLoaded }: ExecuteOptions): Promise<void> {
  if (step.modules) {
    const missing = step.modules.filter((m) => !host.moduleLoaded(m));
    if (missing.length === 0) return;
    const result = await runner.run(['modprobe', '-a', ...missing]);
    if (result.exitCode !== 0) throw new StepFailedError(step, result.stderr || `exit status ${result.exitCode}`, false);
    await onModulesLoaded?.(missing);
    return;
  }
  if (step.daemon) {
    try {
      await runner.start(step.argv);
    } catch (error) {
      throw new StepFailedError(step, (error as Error).message, false);
    }
    return;
  }
  const result = await runner.run(step.argv, step.input ? { input: step.input.join('\n') + '\n' } : {});
  if (result.exitCode !== 0) throw new StepFailedError(step, result.stderr || `exit status ${result.exitCode}`, false);
}

export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<void> {
  for (const [index, step] of plan.steps.entries()) {
    options.onStep?.(step, index, plan.steps.length);
    try {
      await runStep(step, options);
    } catch (error) {
      if (!(error instanceof StepFailedError)) throw error;
      try {
        await removeNamespaces(plan.namespaces, options.runner, options.host);
      } catch (rollbackError) {
        throw new StepFailedError(step, `${error.stderr}\nrollback failed too: ${(rollbackError as Error).message}`, false);
      }
      throw new StepFailedError(step, error.stderr, true);
    }
  }
}
