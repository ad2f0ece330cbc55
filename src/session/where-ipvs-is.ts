/**
 * The conductor's first job: where a lab runs. The one place that decides between this host (its
 * kernel has IPVS) and the microVM, and that runs a verb's work on the chosen side. Verbs hand it their
 * work for this host and the arguments that re-run the same verb inside the guest; no verb branches on
 * the runner. In the microVM the work runs here with a guest of this process's own as the lab machine
 * (`withGuest`: Node never under emulation); without `withGuest` (LVSLAB_VM_PATH=whole, and bench, whose
 * load clients are lab programs of their own) the verb itself runs inside the guest.
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
  /** Runs work here with a microVM of this process's own as the lab machine, powered off after. */
  withGuest?: <T>(work: () => Promise<T>) => Promise<T>;
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
  const { withGuest } = where;
  const inVm = async (): Promise<Answer<T>> => {
    if (withGuest) return { value: await withGuest(here) };
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

/**
 * A verb whose output streams (TAP, a status): `here()` on this host, or in the microVM `inGuest()` (default
 * `here`) with a guest of its own, or the same verb with `verbArgs` inside it, its output going to `streams`.
 */
export function runWhereIpvsIs(
  where: Where,
  verbArgs: string[],
  here: () => Promise<number>,
  streams: VmStreams,
  vmNote: string,
  inGuest: () => Promise<number> = here,
): Promise<number> {
  const { withGuest } = where;
  const inVm = async () => {
    if (withGuest) return withGuest(inGuest);
    const outcome = await where.runSelf(verbArgs, streams);
    where.log(`the microVM ran under ${outcome.accel === 'kvm' ? 'KVM' : 'software emulation (TCG)'}`);
    return outcome.exitCode;
  };
  return onSide(where, { here, inVm }, vmNote);
}
