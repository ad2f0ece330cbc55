/** Benchmarks need IPVS: where the host has none, a benchmark re-runs itself in the microVM. */
import { decideSide } from '../session/where-ipvs-is.js';
import { runInVm, vmRequest } from '../vm/launch.js';

/** True when this process should go on measuring here; otherwise it has run itself in the VM. */
export async function measureHereOrInVm(tag: string): Promise<boolean> {
  const decision = await decideSide('auto');
  if (decision.runner === 'host') return true;
  process.stderr.write(`${tag}: ${decision.why}\n`);
  const log = (line: string) => process.stderr.write(`${tag}: ${line}\n`);
  const outcome = await runInVm(await vmRequest({ argv: [process.execPath, ...process.argv.slice(1)], stdout: process.stdout, stderr: process.stderr, log }));
  process.exitCode = outcome.exitCode;
  return false;
}
