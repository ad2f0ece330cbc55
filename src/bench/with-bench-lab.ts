/** A bench lab's lifetime: built fresh (a lab of that name left behind is replaced), measured, always taken down. */
import { labDown, labUp } from '../apply/lab-lifecycle.js';
import type { CommandRunner } from '../apply/runner.js';
import type { Lab } from '../model/lab.js';
import { SERVICE_COMMAND } from '../model/package-root.js';
import { progress } from '../report/progress.js';
import { machineLifecycle as lifecycle } from '../session/lab-machine.js';

export async function withBenchLab<T>(lab: Lab, work: (runner: CommandRunner) => Promise<T>): Promise<T> {
  const options = lifecycle();
  const what = `${lab.mode}${lab.backups?.length ? ' director pair' : ''}, ${lab.realServers.length} real servers`;
  await progress.task(`${lab.name}: building (${what})`, () => labUp(lab, { service: SERVICE_COMMAND }, { ...options, recreate: true }));
  try {
    return await work(options.runner);
  } finally {
    await labDown(lab.name, options);
  }
}
