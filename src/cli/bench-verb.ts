/**
 * `lvslab bench`: the LVS claim measured on this machine: director offload per reply size, cluster
 * throughput behind a rate-limited director by mode and number of real servers, and lab cost at scale.
 * Measured in the microVM where the host lacks IPVS; tables, checks and SVG plots are made here.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireRoot } from '../apply/lab-lifecycle.js';
import { machineLifecycle } from '../session/lab-machine.js';
import { BENCH_PARTS, benchConfig } from '../bench/bench-config.js';
import { shapeChecks, type BenchResults } from '../bench/bench-results.js';
import { runClusterBench } from '../bench/cluster-bench.js';
import { benchPlots, renderBenchReport } from '../bench/bench-report.js';
import { TapWriter } from '../report/tap.js';
import { progress } from '../report/progress.js';
import { computeWhereIpvsIs } from '../session/where-ipvs-is.js';
import { oneOf, parseVerbArgs } from './args.js';
import { RUNNER_OPTION, whereFrom } from './shared.js';
import { VM_OPTIONS } from './vm-options.js';

export const BENCH_USAGE = 'lvslab bench [--quick] [--only cluster|ha] [--out DIR] [--tap] [--json] [--runner auto|host|vm]';

export async function benchVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(
    args,
    {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      out: { type: 'string', default: 'lvslab-bench' },
      tap: { type: 'boolean' },
      json: { type: 'boolean' },
      ...RUNNER_OPTION,
      ...VM_OPTIONS,
    },
    BENCH_USAGE,
  );
  const quick = values.quick === true;
  const parts =
    values.only === undefined
      ? [...BENCH_PARTS]
      : String(values.only)
          .split(',')
          .map((p) => oneOf(p, BENCH_PARTS, '--only'));
  // The cluster's throughput figures need a machine of their own: a microVM of the bench's own (lvslab runs in it too),
  // or the resident one LVSLAB_GUEST names (lvslab runs here), which nothing else may use meanwhile.
  const cluster = parts.includes('cluster');
  if (process.env.LVSLAB_GUEST && cluster) {
    progress.note('lvslab bench measures the cluster in the resident microVM LVSLAB_GUEST names: nothing else should use it meanwhile');
  }
  const here = async () => {
    requireRoot(machineLifecycle().host, 'bench');
    return runClusterBench(benchConfig(quick, parts), measuredWhere());
  };
  const note = 'the labs run in the microVM, the tables and plots are made here';
  const inGuest = ['bench', '--json', ...(quick ? ['--quick'] : []), '--only', parts.join(',')];
  const answer = await computeWhereIpvsIs(whereFrom(values, { whole: cluster }), inGuest, here, note);
  if ('exitCode' in answer) return answer.exitCode;
  if (values.json) {
    console.log(JSON.stringify(answer.value));
    return 0;
  }
  const where = answer.accel ? `inside the lvslab microVM (${answer.accel === 'kvm' ? 'KVM' : 'software emulation, TCG'})` : answer.value.where;
  const results: BenchResults = { ...answer.value, where };
  const dir = String(values.out);
  await mkdir(dir, { recursive: true });
  const plots = benchPlots(results);
  for (const plot of plots) await writeFile(join(dir, plot.file), plot.svg);
  await writeFile(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const report = `${renderBenchReport(results)}\nPlots and raw results: ${[...plots.map((p) => join(dir, p.file)), join(dir, 'results.json')].join(', ')}`;
  const checks = shapeChecks(results);
  if (values.tap) {
    const tap = new TapWriter((text) => process.stdout.write(text));
    tap.comment(report);
    for (const c of checks) tap.point({ ok: c.ok, name: `bench: ${c.name}`, diagnostic: { observed: c.observed } });
    tap.end();
  } else console.log(report);
  return checks.every((c) => c.ok) ? 0 : 1;
}

/** Where the labs of a bench run here are measured: this host, a resident microVM (lvslab here), or inside the microVM. */
function measuredWhere(): string {
  if (process.env.LVSLAB_GUEST) return 'in the lvslab microVM (lvslab on this host, the labs in the guest)';
  return process.env.LVSLAB_IN_VM === '1' ? 'inside the lvslab microVM' : 'on this host';
}
