/**
 * Benchmark (not a test): the time of one `verify` per mode and what dominates it. Needs IPVS: where the
 * host has none it re-runs itself in the microVM.   npm run bench:verify
 */
import { join } from 'node:path';
import { labDown, labUp } from '../apply/lab-lifecycle.js';
import { machineLifecycle } from '../session/lab-machine.js';
import { ProcessRunner } from '../apply/runner.js';
import { PACKAGE_ROOT, SERVICE_COMMAND } from '../model/package-root.js';
import { loadLab } from '../validate/validate-topology.js';
import { measureHereOrInVm } from './in-vm.js';
import { judge } from '../verify/judge.js';
import { observeLab } from '../verify/observe.js';

async function main(): Promise<void> {
  if (!(await measureHereOrInVm('verify-time'))) return;
  const rows: string[] = [];
  for (const mode of ['dr', 'nat', 'tun', 'fullnat']) {
    const lab = await loadLab(join(PACKAGE_ROOT, 'topologies', `${mode}.yaml`));
    const options = machineLifecycle();
    await labUp(lab, { service: SERVICE_COMMAND }, options);
    try {
      const runner = new ProcessRunner();
      const started = Date.now();
      const observation = await observeLab(lab, runner);
      const results = judge(lab, observation);
      const ms = Date.now() - started;
      const t = observation.timings;
      const [top] = Object.entries(t).sort((a, b) => b[1] - a[1]);
      rows.push(
        `| ${mode} | ${(ms / 1000).toFixed(1)} s | ${results.filter((r) => r.ok).length}/${results.length} | ${runner.spawned} | ` +
          `${t.captures} / ${t.probes} / ` +
          `` +
          `` +
          `${t.transfers} / ${t.readouts} ms | ${top[0]} |`,
      );
    } finally {
      await labDown(lab.name, options);
    }
  }
  const where = process.env.LVSLAB_IN_VM === '1' ? 'inside the lvslab microVM' : 'on this host';
  console.log(`One verify per shipped mode, measured ${where}:\n`);
  console.log('| mode | verify | checks passed | processes | captures / probes / 1 MiB downloads / read-outs | dominated by |\n|---|---:|---:|---:|---|---|');
  console.log(rows.join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
