/** The conductor's second job: a lab's lifetime. Up (or reuse a running lab built from the same file), the work, and always down. */
import { labDown, labUp, runningState, type LifecycleOptions } from '../apply/lab-lifecycle.js';
import { LabStateError } from '../apply/errors.js';
import type { Lab } from '../model/lab.js';
import { SERVICE_COMMAND } from '../model/package-root.js';
import { progress } from '../report/progress.js';

export interface WithLabOptions {
  /** Replace a lab of the same name that runs with another topology. */
  recreate?: boolean;
  /** Use the lab when it already runs from this topology (and leave it running); else bring it up and down again. */
  reuseRunning?: boolean;
  /** Prefix of the progress lines. */
  label?: string;
  /** Another lab is built next: `down` leaves the kernel modules loaded for it (see labDown). */
  keepModules?: boolean;
}

/** Runs work on the lab, bringing it up first and always down after (unless it was already running and reused). */
export async function withLab<T>(lab: Lab, options: LifecycleOptions, work: () => Promise<T>, how: WithLabOptions = {}): Promise<T> {
  if (how.reuseRunning) {
    const state = await runningState(lab, { service: SERVICE_COMMAND }, options);
    if (state === 'matches') return work();
    if (state === 'differs')
      throw new LabStateError(`lab ${lab.name} is running with a different topology than ${lab.source}: run \`lvslab up --recreate ${lab.source}\` first`);
    progress.note(`lab ${lab.name} is not running: bringing it up for this, and down again after`);
  }
  const { value, down } = await withLabLeaving(lab, options, work, how);
  await down;
  return value;
}

/**
 * Brings the lab up, runs work on it, and returns once the work is done with the lab's `down` under way, for the
 * caller to await (the demo builds its next lab meanwhile). A failed work is passed on only once the lab is down.
 */
export async function withLabLeaving<T>(
  lab: Lab,
  options: LifecycleOptions,
  work: () => Promise<T>,
  how: WithLabOptions = {},
): Promise<{ value: T; down: Promise<unknown> }> {
  const prefix = how.label ? `${how.label}: ` : '';
  await progress.task(`${prefix}building lab ${lab.name}`, () => labUp(lab, { service: SERVICE_COMMAND }, { ...options, recreate: how.recreate === true }));
  let value: T;
  try {
    value = await work();
  } catch (error) {
    await labDown(lab.name, options);
    throw error;
  }
  return { value, down: labDown(lab.name, options, { keepModules: how.keepModules }) };
}
