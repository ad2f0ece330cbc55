/**
 * The conductor's first job: where a lab runs. The one place that decides between this host (its
 * kernel has IPVS) and the microVM, and that runs a verb's work on the chosen side. Verbs hand it their
 * work for this host and the arguments that re-run the same verb inside the guest; no verb branches on
 * the runner. (The resident guest of a faster microVM plugs in here.)
 */
import { Writable } from 'node:stream';
import type { VmOutcome } from '../vm/launch.js';
import { chooseRunner, type RunnerChoice, type RunnerDecision } from '../vm/choose-runner.js';

export interface VmStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface Where {
  choice: RunnerChoice;
  /** Runs this CLI with verbArgs and `--runner host` in the microVM, with the user's VM options. */
  runSelf(verbArgs: string[], streams: VmStreams): Promise<VmOutcome>;
  log(line: string): void;
}

/** The side a lab runs on, and why. */
export function decideSide(choice: RunnerChoice): Promise<RunnerDecision> {
  return chooseRunner(choice);
}

export type Answer<T> = { value: T; accel?: VmOutcome['accel'] } | { exitCode: number };

/** The work of a verb on each side: `here` on this host, `inVm` when the lab must run in the microVM. `vmNote` tells the user what happens where. */
export async function onSide<T>(where: Where, work: { here: () => Promise<T>; inVm: () => Promise<T> }, vmNote: string): Promise<T> {
  const side = await decideSide(where.choice);
  if (side.runner === 'host') return work.here();
  where.log(`${side.why}; ${vmNote}`);
  return work.inVm();
}

/**
 * A value computed where IPVS is: `here()` on this host, or, in the microVM, the same verb with
 * `verbArgs` (which make it print the value as JSON on its last stdout line: the guest cannot write
 * host files).
 */
export function computeWhereIpvsIs<T>(where: Where, verbArgs: string[], here: () => Promise<T>, vmNote: string): Promise<Answer<T>> {
  const inVm = async (): Promise<Answer<T>> => {
    let json = '';
    const sink = new Writable({ write: (chunk, _enc, next) => ((json += chunk.toString()), next()) });
    const outcome = await where.runSelf(verbArgs, { stdout: sink, stderr: process.stderr });
    if (outcome.exitCode !== 0) return { exitCode: outcome.exitCode };
    const last = json.trim().split('\n').pop();
    if (!last) throw new Error(`lvslab ${verbArgs[0]} in the microVM printed no result`);
    return { value: JSON.parse(last) as T, accel: outcome.accel };
  };
  return onSide<Answer<T>>(where, { here: async () => ({ value: await here() }), inVm }, vmNote);
}

/** A verb whose output streams (TAP, a status): `here()` on this host, or the same verb with `verbArgs` in the microVM, its output going to `streams`. */
export function runWhereIpvsIs(where: Where, verbArgs: string[], here: () => Promise<number>, streams: VmStreams, vmNote: string): Promise<number> {
  const inVm = async () => {
    const outcome = await where.runSelf(verbArgs, streams);
    where.log(`the microVM ran under ${outcome.accel === 'kvm' ? 'KVM' : 'software emulation (TCG)'}`);
    return outcome.exitCode;
  };
  return onSide(where, { here, inVm }, vmNote);
}
