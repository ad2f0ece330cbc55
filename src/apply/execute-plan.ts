/**
 * Stage 4, apply: runs a plan's steps in order through the CommandRunner. A failing step rolls back
 * everything the plan creates (its namespaces, with the processes in them) before the error surfaces.
 */
import { readFile } from 'node:fs/promises';
import type { Plan, Step } from '../plan/build-plan.js';
import type { WaitFor } from '../model/step.js';
import { lastLines } from '../model/text.js';
import { StepFailedError } from './errors.js';
import type { HostView } from './host.js';
import type { CommandRunner, StartOptions } from './runner.js';
import { removeNamespaces } from './teardown.js';

export interface ExecuteOptions {
  runner: CommandRunner;
  host: HostView;
  /** Told each step as it starts. */
  onStep?: (step: Step, index: number, total: number) => void;
  /**
   * Told which modules this run loads itself, before it loads them (an up killed during modprobe must not leave
   * one loaded that no record names), so that they can be unloaded when no lab needs them.
   */
  onModulesLoading?: (modules: string[]) => Promise<void>;
}

async function runStep(step: Step, { runner, host, onModulesLoading }: ExecuteOptions, started: number[]): Promise<void> {
  if (step.modules) {
    const loaded = await host.modulesLoaded(step.modules);
    const missing = step.modules.filter((m) => !loaded.includes(m));
    if (missing.length === 0) return;
    await onModulesLoading?.(missing);
    const result = await runner.run(['modprobe', '-a', ...missing]);
    if (result.exitCode !== 0) throw new StepFailedError(step, result.stderr || `exit status ${result.exitCode}`, false);
    return;
  }
  if (step.daemon) {
    try {
      started.push((await runner.start(step.argv, startOptions(step))).pid);
    } catch (error) {
      throw new StepFailedError(step, (error as Error).message, false);
    }
    return;
  }
  if (step.until) return waitFor(step, step.until, runner);
  const result = await runner.run(step.argv, step.input ? { input: step.input.join('\n') + '\n' } : {});
  if (result.exitCode !== 0) throw new StepFailedError(step, result.stderr || `exit status ${result.exitCode}`, false);
}

/** How a daemon step is started: its log kept, its ready line awaited. */
export function startOptions(step: Step): StartOptions {
  return { ...(step.log ? { log: step.log } : {}), ...(step.ready ? { ready: step.ready } : {}) };
}

/** How often a waiting step looks again. */
export const WAIT_POLL_MS = 200;

/** Runs the step until its output holds what it waits for, or fails with the last output (and a log's tail). */
async function waitFor(step: Step, until: WaitFor, runner: CommandRunner): Promise<void> {
  const deadline = Date.now() + until.withinMs;
  for (;;) {
    const result = await runner.run(step.argv);
    const pattern = new RegExp(until.pattern);
    const lines = result.stdout.split('\n').filter((line) => pattern.test(line));
    if (result.exitCode === 0 && lines.length >= until.count) return;
    if (Date.now() >= deadline) {
      const seen = result.exitCode === 0 ? `${lines.length} of ${until.count} lines matching /${until.pattern}/` : result.stderr.trim();
      const log = until.explainWith ? lastLines(await readFile(until.explainWith, 'utf8').catch(() => ''), 12) : '';
      throw new StepFailedError(step, `not ready within ${until.withinMs} ms: ${seen}${log ? `\nlast lines of ${until.explainWith}:\n${log}` : ''}`, false);
    }
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}

/** How many nodes of one phase are configured at once. */
export const NODE_CONCURRENCY = 8;

/** The plan's steps as phases, each phase as per-node chains that keep their order. */
export function chains(plan: Plan): Step[][][] {
  const phases: Step[][][] = [];
  let current: Map<string, Step[]> | undefined;
  let currentPhase: string | undefined;
  for (const step of plan.steps) {
    if (step.phase !== currentPhase) {
      current = new Map();
      currentPhase = step.phase;
      phases.push([]);
    }
    if (!current!.has(step.node)) {
      current!.set(step.node, []);
      phases[phases.length - 1].push(current!.get(step.node)!);
    }
    current!.get(step.node)!.push(step);
  }
  return phases;
}

/** Runs chains with at most `limit` at once; the first failure stops new chains and is rethrown once all settle. */
async function runChains(chainList: Step[][], limit: number, run: (step: Step) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < chainList.length) {
      const chain = chainList[next++];
      try {
        for (const step of chain) await run(step);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, chainList.length) }, worker));
  if (failure !== undefined) throw failure;
}

export async function executePlan(plan: Plan, options: ExecuteOptions): Promise<void> {
  let done = 0;
  // The daemons this run started, by pid: one may not have entered its namespace yet when the rollback
  // looks for the namespaces' processes (`ip netns exec` is slow on a busy guest), so each is killed by pid too.
  const started: number[] = [];
  try {
    for (const phase of chains(plan)) {
      await runChains(phase, NODE_CONCURRENCY, async (step) => {
        options.onStep?.(step, done++, plan.steps.length);
        await runStep(step, options, started);
      });
    }
  } catch (error) {
    if (!(error instanceof StepFailedError)) throw error;
    for (const pid of started) await options.host.kill(pid);
    try {
      await removeNamespaces(plan.namespaces, options.runner, options.host);
    } catch (rollbackError) {
      throw new StepFailedError(error.step, `${error.stderr}\nrollback failed too: ${(rollbackError as Error).message}`, false);
    }
    throw new StepFailedError(error.step, error.stderr, true);
  }
}
