/**
 * `lvslab demo`: the newcomer's main job. Brings up the four shipped modes one after another (each built while
 * the previous one is taken down; in the microVM where the host lacks IPVS), verifies each, and prints one
 * side-by-side table; beside them a DR director pair's failover under load (the HA row); writes each lab's path
 * diagram and says where. `--ipv6`: the same rows over IPv6 (each mode's IPv6 lab), without the HA row.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireRoot } from '../apply/lab-lifecycle.js';
import { machineLifecycle } from '../session/lab-machine.js';
import { computeWhereIpvsIs } from '../session/where-ipvs-is.js';
import { withLab, withLabLeaving } from '../session/with-lab.js';
import { MODES, type Lab, type Mode } from '../model/lab.js';
import { familyView } from '../model/family-view.js';
import { PACKAGE_ROOT } from '../model/package-root.js';
import { renderMermaid, renderSvg } from '../report/graph.js';
import { progress } from '../report/progress.js';
import { loadLab } from '../validate/validate-topology.js';
import { judge } from '../verify/judge.js';
import { observeLab } from '../verify/observe.js';
import { judgeFailover, observeFailover } from '../verify/failover.js';
import { renderHaTable, renderSummaryTable, summarize, summarizeFailover, type HaSummary, type ModeSummary } from '../verify/summary.js';
import { parseVerbArgs } from './args.js';
import { RUNNER_OPTION, whereFrom } from './shared.js';
import { VM_OPTIONS } from './vm-options.js';

/** The pair whose failover makes the HA row. */
const HA_LAB = 'dr-pair';

/** `--ipv6`: each mode's IPv6 lab (FULLNAT's is dual-stack: its IPv6 family is shown). */
const IPV6_LABS: Record<Mode, string> = { dr: 'dr6', nat: 'nat6', tun: 'tun6', fullnat: 'fullnat-dual' };

/** The lab a demo row builds, and what it shows of it: the mode's own lab, or its IPv6 lab seen in IPv6. */
async function demoLab(mode: Mode, ipv6: boolean): Promise<{ lab: Lab; view: Lab }> {
  const lab = await loadLab(join(PACKAGE_ROOT, 'topologies', `${ipv6 ? IPV6_LABS[mode] : mode}.yaml`));
  return { lab, view: ipv6 ? familyView(lab, 'ipv6') : lab };
}

interface DemoResult {
  modes: ModeSummary[];
  ha?: HaSummary;
}

async function demoHere(ipv6: boolean): Promise<DemoResult> {
  const options = machineLifecycle();
  requireRoot(options.host, 'demo');
  // The HA row's pair beside the four modes: its failover mostly waits (VRRP's timers, a rate-limited download).
  // Director pairs are IPv4 only for now: the IPv6 demo has no HA row.
  const ha = ipv6 ? Promise.resolve(undefined) : haRow(options);
  const modes = (async () => {
    const rows: ModeSummary[] = [];
    // Each mode's lab is taken down while the next one is built: their namespaces are apart.
    const downs: Array<Promise<unknown>> = [];
    try {
      for (const mode of MODES) {
        const { lab, view } = await demoLab(mode, ipv6);
        const observe = () => progress.task(`${lab.name}: verifying (probes, captures, 1 MiB downloads)`, () => observeLab(view, options.runner));
        const keepModules = mode !== MODES[MODES.length - 1];
        const { value: observation, down } = await withLabLeaving(lab, options, observe, { recreate: true, label: lab.name, keepModules });
        downs.push(down);
        rows.push(summarize(view, observation, judge(view, observation)));
      }
    } finally {
      await settleAll(downs);
    }
    return rows;
  })();
  // Both end before an error is passed on: neither may be left running in a guest about to power off.
  const [rows, row] = await settleAll([modes, ha]);
  return { modes: rows, ha: row };
}

/** Waits for every one of them, then passes on the first failure, if any. */
async function settleAll<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

async function haRow(options: ReturnType<typeof machineLifecycle>): Promise<HaSummary | undefined> {
  const pair = await loadLab(join(PACKAGE_ROOT, 'topologies', `${HA_LAB}.yaml`));
  const failover = () => progress.task(`${HA_LAB}: the master's link down under load, then back`, () => observeFailover(pair, options.runner, options.host));
  const observation = await withLab(pair, options, failover, { recreate: true, label: HA_LAB });
  return observation ? summarizeFailover(pair, observation, judgeFailover(pair, observation)) : undefined;
}

export async function demoVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(
    args,
    { out: { type: 'string', default: 'lvslab-demo' }, json: { type: 'boolean' }, ipv6: { type: 'boolean' }, ...RUNNER_OPTION, ...VM_OPTIONS },
    'lvslab demo [--ipv6] [--out DIR] [--runner auto|host|vm]',
  );
  const ipv6 = values.ipv6 === true;
  const answer = await computeWhereIpvsIs(
    whereFrom(values),
    ['demo', '--json', ...(ipv6 ? ['--ipv6'] : [])],
    () => demoHere(ipv6),
    'the four labs run in the microVM, the table and diagrams are made here',
  );
  if ('exitCode' in answer) return answer.exitCode;
  const { modes: rows, ha } = answer.value;
  if (values.json) {
    console.log(JSON.stringify(answer.value));
    return 0;
  }
  const dir = String(values.out);
  await mkdir(dir, { recursive: true });
  for (const row of rows) {
    const { view } = await demoLab(row.mode, ipv6);
    await writeFile(join(dir, `${view.name}.svg`), renderSvg(view, row.paths));
    await writeFile(join(dir, `${view.name}.mmd`), renderMermaid(view, row.paths));
  }
  console.log(renderSummaryTable(rows));
  if (!ipv6) console.log(`\n${ha ? renderHaTable(ha) : `HA: no failover observed (${HA_LAB})`}`);
  console.log(
    `\n~ marks a hop the traffic did not take as the mode promises. Path diagrams: ${rows.map((r) => join(dir, `${r.lab}.svg`)).join(', ')} (and .mmd for ` +
      `Markdown).`,
  );
  const haOk = ipv6 || (ha !== undefined && ha.passed === ha.checks);
  return rows.length === MODES.length && rows.every((r) => r.passed === r.checks) && haOk ? 0 : 1;
}
