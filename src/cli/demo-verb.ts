/**
 * `lvslab demo`: the newcomer's main job. Brings up the four shipped modes one after another (in the
 * microVM where the host lacks IPVS), verifies each, and prints one side-by-side table; then a DR director
 * pair's failover under load (the HA row); writes each lab's path diagram and says where.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireRoot } from '../apply/lab-lifecycle.js';
import { machineLifecycle } from '../session/lab-machine.js';
import { computeWhereIpvsIs } from '../session/where-ipvs-is.js';
import { withLab } from '../session/with-lab.js';
import { MODES } from '../model/lab.js';
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

interface DemoResult {
  modes: ModeSummary[];
  ha?: HaSummary;
}

async function demoHere(): Promise<DemoResult> {
  const options = machineLifecycle();
  requireRoot(options.host, 'demo');
  const rows: ModeSummary[] = [];
  for (const mode of MODES) {
    const lab = await loadLab(join(PACKAGE_ROOT, 'topologies', `${mode}.yaml`));
    const observe = () => progress.task(`${mode}: verifying (probes, captures, 1 MiB downloads)`, () => observeLab(lab, options.runner));
    const observation = await withLab(lab, options, observe, { recreate: true, label: mode });
    rows.push(summarize(lab, observation, judge(lab, observation)));
  }
  const pair = await loadLab(join(PACKAGE_ROOT, 'topologies', `${HA_LAB}.yaml`));
  const failover = () => progress.task(`${HA_LAB}: the master's link down under load, then back`, () => observeFailover(pair, options.runner, options.host));
  const observation = await withLab(pair, options, failover, { recreate: true, label: HA_LAB });
  return { modes: rows, ha: observation ? summarizeFailover(pair, observation, judgeFailover(pair, observation)) : undefined };
}

export async function demoVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(
    args,
    { out: { type: 'string', default: 'lvslab-demo' }, json: { type: 'boolean' }, ...RUNNER_OPTION, ...VM_OPTIONS },
    'lvslab demo [--out DIR] [--runner auto|host|vm]',
  );
  const answer = await computeWhereIpvsIs(
    whereFrom(values),
    ['demo', '--json'],
    demoHere,
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
    const lab = await loadLab(join(PACKAGE_ROOT, 'topologies', `${row.mode}.yaml`));
    await writeFile(join(dir, `${lab.name}.svg`), renderSvg(lab, row.paths));
    await writeFile(join(dir, `${lab.name}.mmd`), renderMermaid(lab, row.paths));
  }
  console.log(renderSummaryTable(rows));
  console.log(`\n${ha ? renderHaTable(ha) : `HA: no failover observed (${HA_LAB})`}`);
  console.log(
    `\n~ marks a hop the traffic did not take as the mode promises. Path diagrams: ${rows.map((r) => join(dir, `${r.lab}.svg`)).join(', ')} (and .mmd for ` +
      `Markdown).`,
  );
  return rows.length === MODES.length && rows.every((r) => r.passed === r.checks) && ha !== undefined && ha.passed === ha.checks ? 0 : 1;
}
