/** Benchmarks need IPVS: where the host has none, a benchmark re-runs itself in the microVM. */
import { chooseRunner } from '../vm/choose-runner.js';
import { defaultKernel } from '../vm/kernel.js';
import { guestEnvironment, runInVm } from '../vm/launch.js';

/** True when this process should go on measuring here; otherwise it has run itself in the VM. */
export async function measureHereOrInVm(tag: string): Promise<boolean> {
  const decision = await chooseRunner('auto');
  if (decision.runner === 'host') return true;
  process.stderr.write(`${tag}: ${decision.why}\n`);
  const outcome = await runInVm({
    argv: [process.execPath, ...process.argv.slice(1)], cwd: process.cwd(), env: guestEnvironment(process.env),
    kernel: await defaultKernel({ fetch: true, log: (l) => process.stderr.write(`${tag}: ${l}\n`) }), accel: 'auto', memoryMb: 2048, timeoutSec: 1800,
    stdout: process.stdout, stderr: process.stderr, log: (l) => process.stderr.write(`${tag}: ${l}\n`),
  });
  process.exitCode = outcome.exitCode;
  return false;
}
