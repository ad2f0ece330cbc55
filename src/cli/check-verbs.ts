/** The verbs that prove what a lab does: verify, graph, test. */
import { familiesOf, familyView } from '../model/family-view.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { requireRoot, runningState } from '../apply/lab-lifecycle.js';
import { machineLifecycle } from '../session/lab-machine.js';
import { LabStateError } from '../apply/errors.js';
import type { Lab } from '../model/lab.js';
import { SERVICE_COMMAND } from '../model/package-root.js';
import { renderChecks } from '../report/check-table.js';
import { progress } from '../report/progress.js';
import { renderMermaid, renderSvg } from '../report/graph.js';
import { renderJUnit, splitLabName, type JUnitCase } from '../report/junit.js';
import { TapWriter } from '../report/tap.js';
import { closingLine, collectTap, formatAssert } from '../report/tap-summary.js';
import { loadLab } from '../validate/validate-topology.js';
import { TopologyError } from '../model/problems.js';
import { observedPaths, type ObservedPaths } from '../verify/judge.js';
import { observeLab } from '../verify/observe.js';
import { verifyLab } from '../verify/run-verify.js';
import { runScenarios, scenariosNamed } from '../verify/scenario.js';
import type { CheckResult } from '../model/observation.js';
import type { LifecycleOptions } from '../apply/lab-lifecycle.js';
import { testLabs } from '../session/test-labs.js';
import { computeWhereIpvsIs, onSide, runWhereIpvsIs } from '../session/where-ipvs-is.js';
import { withLab } from '../session/with-lab.js';
import { parseVerbArgs, UsageError, type ParsedArgs } from './args.js';
import { RUNNER_OPTION, whereFrom } from './shared.js';
import { VM_OPTIONS } from './vm-options.js';

export async function verifyVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    args,
    { tap: { type: 'boolean' }, json: { type: 'boolean' }, junit: { type: 'boolean' }, ...RUNNER_OPTION, ...VM_OPTIONS },
    'lvslab verify FILE [--tap|--json|--junit] [--runner auto|host|vm]',
  );
  if (positionals.length !== 1) throw new UsageError('lvslab verify needs exactly one FILE');
  const lab = await loadLab(positionals[0]);
  // Where the host has no IPVS, no lab can be running here: the microVM runs up -> verify -> down, as lvslab test does.
  const note = 'a lab lives only as long as the microVM: verifying there means up -> verify -> down, as lvslab test does';
  const inVm = () => testVerb(args.filter((a) => a !== '--json'));
  return onSide(whereFrom(values), { here: () => verifyHere(lab, positionals[0], values), inVm }, note);
}

/** The lab must be running from this file (verify and scenario act on a running lab). */
async function requireRunning(lab: Lab, file: string, options: LifecycleOptions, verb: string): Promise<void> {
  const state = await runningState(lab, { service: SERVICE_COMMAND }, options);
  if (state === 'absent')
    throw new LabStateError(
      `lab ${lab.name} is not running: run \`lvslab up ${file}\` first (or \`lvslab test ${file}\` for up -> ${verb.split(' ')[1]} -> down)`,
    );
  if (state === 'differs')
    throw new LabStateError(`lab ${lab.name} is running with a different topology than ${file}: run \`lvslab up --recreate ${file}\` first`);
}

/** verify on this host: the lab must be running from this file. */
async function verifyHere(lab: Lab, file: string, values: ParsedArgs['values']): Promise<number> {
  const options = machineLifecycle();
  requireRoot(options.host, 'verify');
  await requireRunning(lab, file, options, 'lvslab verify');
  const results = await progress.task(`verifying lab ${lab.name} (probes, captures, downloads)`, () => verifyLab(lab, options.runner, options.host));
  return printChecks(lab, results, values);
}

/** Check rows as the flags ask (JSON, JUnit, TAP, or the table); exit 1 on any failed row. */
function printChecks(lab: Lab, results: CheckResult[], values: ParsedArgs['values']): number {
  if (values.json) console.log(JSON.stringify(results, null, 2));
  else if (values.junit)
    process.stdout.write(
      renderJUnit(results.map((r) => ({ suite: lab.name, name: r.name, ok: r.ok, details: { where: r.where, expected: r.expected, observed: r.observed } }))),
    );
  else if (values.tap) {
    const tap = new TapWriter((text) => process.stdout.write(text));
    for (const r of results)
      tap.point({ ok: r.ok, name: `${lab.name}: ${r.name}`, diagnostic: { where: r.where, expected: r.expected, observed: r.observed } });
    tap.end();
  } else console.log(renderChecks(results));
  return results.every((r) => r.ok) ? 0 : 1;
}

export async function scenarioVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    args,
    { tap: { type: 'boolean' }, json: { type: 'boolean' }, junit: { type: 'boolean' } },
    'lvslab scenario FILE [NAME...] [--tap|--json|--junit]',
  );
  if (positionals.length === 0) throw new UsageError('lvslab scenario needs a FILE (and the names of the scenarios to run: all when none)');
  const [file, ...names] = positionals;
  const lab = await loadLab(file);
  let scenarios;
  try {
    scenarios = scenariosNamed(lab, names);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const here = async () => {
    const options = machineLifecycle();
    requireRoot(options.host, 'scenario');
    await requireRunning(lab, file, options, 'lvslab scenario');
    const results = await progress.task(`running ${scenarios.length} scenario(s) on lab ${lab.name}`, () =>
      runScenarios(lab, options.runner, options.host, scenarios),
    );
    return printChecks(lab, results, values);
  };
  // Without IPVS here no lab can be running here (LVSLAB_GUEST makes this host's lvslab act in a resident microVM).
  const inVm = async (): Promise<number> => {
    throw new UsageError(
      `lab ${lab.name} cannot be running on this host, which has no IPVS: run \`lvslab test ${file}\` (verify, then every scenario), ` +
        'or keep a microVM with `lvslab vm --serve SOCKET` and run up and scenario with LVSLAB_GUEST=SOCKET',
    );
  };
  return onSide(whereFrom({ runner: 'auto' }), { here, inVm }, 'scenarios act on a running lab');
}

/** Observes a lab's family (the lab running, or brought up for the occasion and taken down) and returns its paths. */
async function observePaths(lab: Lab, view: Lab): Promise<ObservedPaths | null> {
  const options = machineLifecycle();
  requireRoot(options.host, 'graph');
  return withLab(lab, options, async () => observedPaths(view, await observeLab(view, options.runner)) ?? null, { reuseRunning: true });
}

/** The family `graph` draws: `--family`, else the lab's first (IPv4 where it serves IPv4). */
function graphView(lab: Lab, family: unknown): Lab {
  if (family === undefined) return familyView(lab, familiesOf(lab)[0] ?? 'ipv4');
  if (family !== 'ipv4' && family !== 'ipv6') throw new UsageError(`--family must be ipv4 or ipv6, not ${String(family)}`);
  if (!familiesOf(lab).includes(family)) throw new UsageError(`lab ${lab.name} serves no ${family} service; it serves ${familiesOf(lab).join(' and ')}`);
  return familyView(lab, family);
}

export async function graphVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    args,
    { out: { type: 'string', default: '.' }, 'paths-json': { type: 'boolean' }, family: { type: 'string' }, ...RUNNER_OPTION, ...VM_OPTIONS },
    'lvslab graph FILE [--family ipv4|ipv6] [--out DIR] [--runner auto|host|vm]',
  );
  if (positionals.length !== 1) throw new UsageError('lvslab graph needs exactly one FILE');
  const lab = await loadLab(positionals[0]);
  const view = graphView(lab, values.family);
  const answer = await computeWhereIpvsIs(
    whereFrom(values),
    ['graph', positionals[0], '--paths-json', ...(values.family ? ['--family', String(values.family)] : [])],
    () => observePaths(lab, view),
    'the lab is verified in the microVM and drawn here',
  );
  if ('exitCode' in answer) return answer.exitCode;
  if (values['paths-json']) {
    console.log(JSON.stringify(answer.value));
    return 0;
  }
  const paths = answer.value ?? undefined;
  const dir = String(values.out);
  await mkdir(dir, { recursive: true });
  const svg = join(dir, `${lab.name}.svg`);
  const mermaid = join(dir, `${lab.name}.mmd`);
  await writeFile(svg, renderSvg(view, paths));
  await writeFile(mermaid, renderMermaid(view, paths));
  const hops = (list: ObservedPaths['request']) => list.map((h) => h.from).join(' -> ');
  const seen = paths ? `: request ${hops(paths.request)} -> ${paths.realServer}, reply ${hops(paths.reply)} -> ${lab.clients[0].name}` : ' (no path observed)';
  console.log(`wrote ${svg} and ${mermaid}${seen}`);
  return paths && [...paths.request, ...paths.reply].every((h) => h.carried) ? 0 : 1;
}

/** Every file valid, or every problem of every file (exit 2) before anything is built or booted. */
async function validateAll(files: string[]): Promise<void> {
  const problems = (
    await Promise.all(
      files.map((file) =>
        loadLab(file).then(
          () => [],
          (error: unknown) => {
            if (error instanceof TopologyError) return error.problems;
            throw error;
          },
        ),
      ),
    )
  ).flat();
  if (problems.length > 0) throw new TopologyError(problems);
}

export async function testVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    args,
    { tap: { type: 'boolean' }, junit: { type: 'boolean' }, ...RUNNER_OPTION, ...VM_OPTIONS },
    'lvslab test FILE... [--runner auto|host|vm] [--tap|--junit]',
  );
  const quiet = values.tap || values.junit; // machine output owns stdout
  const cases: JUnitCase[] = [];
  if (positionals.length === 0) throw new UsageError('lvslab test needs at least one FILE');
  await validateAll(positionals);
  const tapOut = (text: string) => process.stdout.write(text);
  const { parser, done, tally } = collectTap((result) => {
    if (!quiet) console.log(formatAssert(result));
    const diag = (result.diag ?? {}) as Record<string, string>;
    cases.push({
      ...splitLabName(result.name),
      ok: result.ok,
      details: { where: String(diag.where ?? ''), expected: String(diag.expected ?? ''), observed: String(diag.observed ?? diag.error ?? diag.problems ?? '') },
    });
  });
  const feed = (text: string) => {
    if (values.tap) tapOut(text);
    parser.write(text);
  };
  const here = async () => {
    const tap = new TapWriter(feed);
    await testLabs(positionals, tap, machineLifecycle());
    tap.end();
    return 0;
  };
  const decoder = new StringDecoder('utf8'); // a character may be split across serial-port chunks
  const sink = new Writable({ write: (chunk, _enc, next) => (feed(decoder.write(chunk)), next()) });
  const note = 'every topology runs in one microVM boot, its TAP read here';
  const vmExit = await runWhereIpvsIs(whereFrom(values), ['test', '--tap', ...positionals], here, { stdout: sink, stderr: process.stderr }, note);
  parser.end();
  const results = await done;
  if (values.junit) process.stdout.write(renderJUnit(cases));
  else if (!values.tap) console.log(closingLine(tally.passed, tally.failed, tally.skipped));
  return results.ok && results.count > 0 && tally.skipped === 0 && vmExit === 0 ? 0 : 1;
}
