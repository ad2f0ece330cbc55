/** The verbs that prove what a lab does: verify, graph, test. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { labDown, labUp, requireRoot, runningState, machineLifecycle } from '../apply/lab-lifecycle.js';
import { LabStateError } from '../apply/errors.js';
import type { Lab } from '../model/lab.js';
import { SERVICE_SCRIPT } from '../model/package-root.js';
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
import { testLabs } from '../session/test-labs.js';
import { chooseRunner, type RunnerChoice } from '../vm/choose-runner.js';
import { oneOf, parseVerbArgs, UsageError } from './args.js';
import { RUNNER_OPTION } from './shared.js';
import { jsonFromSelfInVm, log, runSelfInVm, VM_OPTIONS } from './vm-options.js';

export async function verifyVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    args,
    { tap: { type: 'boolean' }, json: { type: 'boolean' }, junit: { type: 'boolean' }, ...RUNNER_OPTION, ...VM_OPTIONS },
    'lvslab verify FILE [--tap|--json|--junit] [--runner auto|host|vm]',
  );
  if (positionals.length !== 1) throw new UsageError('lvslab verify needs exactly one FILE');
  const lab = await loadLab(positionals[0]);
  const decision = await chooseRunner(oneOf(values.runner, ['auto', 'host', 'vm'] as const, '--runner') as RunnerChoice);
  if (decision.runner === 'vm') {
    log(`${decision.why}. A lab lives only as long as the microVM: verifying there means up -> verify -> down, as lvslab test does.`);
    return testVerb(args.filter((a) => a !== '--json'));
  }
  const options = machineLifecycle();
  requireRoot(options.host, 'verify');
  const state = await runningState(lab, { serviceScript: SERVICE_SCRIPT }, options);
  if (state === 'absent')
    throw new LabStateError(
      `lab ${lab.name} is not running: run \`lvslab up ${positionals[0]}\` first (or \`lvslab test ${positionals[0]}\` for up -> verify -> down)`,
    );
  if (state === 'differs')
    throw new LabStateError(
      `lab ${lab.name} is running with a different topology than ${positionals[0]}: run \`lvslab up --recreate ${positionals[0]}\` first`,
    );
  const results = await progress.task(`verifying lab ${lab.name} (probes, captures, downloads)`, () => verifyLab(lab, options.runner));
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

/** Observes a lab (running, or brought up for the occasion and taken down) and returns its paths. */
async function observePaths(lab: Lab, file: string): Promise<ObservedPaths | undefined> {
  const options = machineLifecycle();
  requireRoot(options.host, 'graph');
  const state = await runningState(lab, { serviceScript: SERVICE_SCRIPT }, options);
  const running = state === 'matches';
  if (state === 'differs')
    throw new LabStateError(`lab ${lab.name} is running with a different topology than ${file}: run \`lvslab up --recreate ${file}\` first`);
  if (!running) log(`lab ${lab.name} is not running: bringing it up for the graph, and down again after`);
  if (!running) await labUp(lab, { serviceScript: SERVICE_SCRIPT }, options);
  try {
    return observedPaths(lab, await observeLab(lab, options.runner));
  } finally {
    if (!running) await labDown(lab.name, options);
  }
}

export async function graphVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    args,
    { out: { type: 'string', default: '.' }, 'paths-json': { type: 'boolean' }, ...RUNNER_OPTION, ...VM_OPTIONS },
    'lvslab graph FILE [--out DIR] [--runner auto|host|vm]',
  );
  if (positionals.length !== 1) throw new UsageError('lvslab graph needs exactly one FILE');
  const lab = await loadLab(positionals[0]);
  const decision = await chooseRunner(oneOf(values.runner, ['auto', 'host', 'vm'] as const, '--runner') as RunnerChoice);
  let paths: ObservedPaths | undefined;
  if (decision.runner === 'host') {
    paths = await observePaths(lab, positionals[0]);
    if (values['paths-json']) {
      console.log(JSON.stringify(paths ?? null));
      return 0;
    }
  } else {
    log(`${decision.why}; the lab is verified in the microVM and drawn here`);
    const answer = await jsonFromSelfInVm<ObservedPaths | null>(['graph', positionals[0], '--paths-json'], values);
    if ('exitCode' in answer) return answer.exitCode;
    paths = answer.value ?? undefined;
  }
  const dir = String(values.out);
  await mkdir(dir, { recursive: true });
  const svg = join(dir, `${lab.name}.svg`);
  const mermaid = join(dir, `${lab.name}.mmd`);
  await writeFile(svg, renderSvg(lab, paths));
  await writeFile(mermaid, renderMermaid(lab, paths));
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
  const decision = await chooseRunner(oneOf(values.runner, ['auto', 'host', 'vm'] as const, '--runner') as RunnerChoice);
  if (!quiet) log(`runner: ${decision.runner} (${decision.why})`);
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
  let vmExit = 0;
  if (decision.runner === 'host') {
    const tap = new TapWriter(feed);
    await testLabs(positionals, tap, machineLifecycle());
    tap.end();
  } else {
    const decoder = new StringDecoder('utf8'); // a character may be split across serial-port chunks
    const sink = new Writable({ write: (chunk, _enc, next) => (feed(decoder.write(chunk)), next()) });
    const outcome = await runSelfInVm(['test', '--tap', ...positionals], values, { stdout: sink, stderr: process.stderr });
    vmExit = outcome.exitCode;
    if (!quiet) log(`the microVM ran under ${outcome.accel === 'kvm' ? 'KVM' : 'software emulation (TCG)'}`);
  }
  parser.end();
  const results = await done;
  if (values.junit) process.stdout.write(renderJUnit(cases));
  else if (!values.tap) console.log(closingLine(tally.passed, tally.failed, tally.skipped));
  return results.ok && results.count > 0 && tally.skipped === 0 && vmExit === 0 ? 0 : 1;
}
