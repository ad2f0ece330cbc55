/**
 * `lvslab demo`: the newcomer's main job. Brings up the four shipped modes one after another (in the
 * microVM where the host lacks IPVS), verifies each, and prints one side-by-side table; writes each
 * lab's path diagram and says where.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { labDown, labUp, requireRoot, machineLifecycle } from '../apply/lab-lifecycle.js';
import { MODES } from '../model/lab.js';
import { PACKAGE_ROOT, SERVICE_SCRIPT } from '../model/package-root.js';
import { renderMermaid, renderSvg } from '../report/graph.js';
import { progress } from '../report/progress.js';
import { loadLab } from '../validate/validate-topology.js';
import { judge } from '../verify/judge.js';
import { observeLab } from '../verify/observe.js';
import { renderSummaryTable, summarize, type ModeSummary } from '../verify/summary.js';
import { chooseRunner, type RunnerChoice } from '../vm/choose-runner.js';
import { oneOf, parseVerbArgs } from './args.js';
import { RUNNER_OPTION } from './shared.js';
import { jsonFromSelfInVm, log, VM_OPTIONS } from './vm-options.js';

async function demoHere(): Promise<ModeSummary[]> {
  const options = machineLifecycle();
  requireRoot(options.host, 'demo');
  const rows: ModeSummary[] = [];
  for (const mode of MODES) {
    const lab = await loadLab(join(PACKAGE_ROOT, 'topologies', `${mode}.yaml`));
    await progress.task(`${mode}: building lab ${lab.name}`, () => labUp(lab, { serviceScript: SERVICE_SCRIPT }, { ...options, recreate: true }));
    try {
      const observation = await progress.task(`${mode}: verifying (probes, captures, 1 MiB downloads)`, () => observeLab(lab, options.runner));
      rows.push(summarize(lab, observation, judge(lab, observation)));
    } finally {
      await labDown(lab.name, options);
    }
  }
  return rows;
}

export async function demoVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(
    args,
    { out: { type: 'string', default: 'lvslab-demo' }, json: { type: 'boolean' }, ...RUNNER_OPTION, ...VM_OPTIONS },
    'lvslab demo [--out DIR] [--runner auto|host|vm]',
  );
  const decision = await chooseRunner(oneOf(values.runner, ['auto', 'host', 'vm'] as const, '--runner') as RunnerChoice);
  let rows: ModeSummary[];
  if (decision.runner === 'host') {
    rows = await demoHere();
    if (values.json) {
      console.log(JSON.stringify(rows));
      return 0;
    }
  } else {
    log(`${decision.why}; the four labs run in the microVM, the table and diagrams are made here`);
    const answer = await jsonFromSelfInVm<ModeSummary[]>(['demo', '--json'], values);
    if ('exitCode' in answer) return answer.exitCode;
    rows = answer.value;
  }
  const dir = String(values.out);
  await mkdir(dir, { recursive: true });
  for (const row of rows) {
    const lab = await loadLab(join(PACKAGE_ROOT, 'topologies', `${row.mode}.yaml`));
    await writeFile(join(dir, `${lab.name}.svg`), renderSvg(lab, row.paths));
    await writeFile(join(dir, `${lab.name}.mmd`), renderMermaid(lab, row.paths));
  }
  console.log(renderSummaryTable(rows));
  console.log(
    `\n~ marks a hop the traffic did not take as the mode promises. Path diagrams: ${rows.map((r) => join(dir, `${r.lab}.svg`)).join(', ')} (and .mmd for ` +
      `Markdown).`,
  );
  return rows.length === MODES.length && rows.every((r) => r.passed === r.checks) ? 0 : 1;
}
