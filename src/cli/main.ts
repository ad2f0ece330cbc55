#!/usr/bin/env node
/**
 * The lvslab command line. Each verb is a small function; errors are caught in one place below and
 * printed for a human: bad input exits 2, a failed step or check exits 1, a microVM failure 125.
 */
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { labDown, labUp, requireRoot, STATE_DIR, type LifecycleOptions } from '../apply/lab-lifecycle.js';
import { LabStateError, StepFailedError } from '../apply/errors.js';
import { LinuxHost } from '../apply/host.js';
import { byLab, findOwned } from '../apply/ownership.js';
import { ExecaRunner } from '../apply/runner.js';
import { SERVICE_SCRIPT } from '../model/package-root.js';
import { namespaceOf } from '../model/naming.js';
import { buildPlan } from '../plan/build-plan.js';
import { renderScript } from '../plan/render-script.js';
import { renderStatus } from '../report/status-text.js';
import { renderChecks } from '../report/check-table.js';
import { renderMermaid, renderSvg } from '../report/graph.js';
import { observedPaths, type ObservedPaths } from '../verify/judge.js';
import { observeLab } from '../verify/observe.js';
import type { Lab } from '../model/lab.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyLab } from '../verify/run-verify.js';
import { TapWriter } from '../report/tap.js';
import { renderJUnit, splitLabName, type JUnitCase } from '../report/junit.js';
import { closingLine, collectTap, formatAssert } from '../report/tap-summary.js';
import { TopologyError, type Problem } from '../validate/problems.js';
import { loadLab } from '../validate/validate-topology.js';
import { labStatus } from '../verify/lab-status.js';
import { testLabs } from '../verify/test-labs.js';
import { chooseRunner, type RunnerChoice } from '../vm/choose-runner.js';
import { fetchDefaultKernel, VmError } from '../vm/kernel.js';
import { oneOf, parseVerbArgs, UsageError } from './args.js';
import { log, runSelfInVm, runWithVmOptions, VM_OPTIONS, VM_USAGE } from './vm-options.js';
import { existsSync } from 'node:fs';
import { execa } from 'execa';

const USAGE = `usage: lvslab <verb> [options]
  validate FILE...                 check topologies; every problem with file:line:col (no root needed)
  plan FILE [--json]               the exact commands that build the lab (no root needed)
  up FILE [--recreate] [--runner auto|host|vm]
  down FILE|NAME | --all           remove a lab (or every lab) by its ownership marks
  status [NAME] [--json]           nodes, addresses, MACs, routes, IPVS table, counters
  exec LAB NODE -- CMD...          run a command in a node's namespace
  verify FILE [--tap|--json|--junit] [--runner auto|host|vm]
                                   prove what the lab's mode promises, from packets and counters
  graph FILE [--out DIR] [--runner auto|host|vm]
                                   SVG and Mermaid of the lab with the observed request and reply paths
  test FILE... [--runner auto|host|vm] [--tap|--junit]
                                   up -> verify -> down for each topology
  vm ${VM_USAGE} [--fetch-kernel] [--shell | -- CMD...]
                                   run a command in the IPVS microVM`;

const RUNNER_OPTION = { runner: { type: 'string', default: 'auto' } } as const;

function lifecycle(): LifecycleOptions {
  return { runner: new ExecaRunner(), host: new LinuxHost(), stateDir: STATE_DIR };
}

async function validateVerb(args: string[]): Promise<number> {
  const { positionals } = parseVerbArgs(args, {}, 'lvslab validate FILE...');
  if (positionals.length === 0) throw new UsageError('lvslab validate needs at least one FILE');
  const problems: Problem[] = [];
  for (const file of positionals) {
    try {
      const lab = await loadLab(file);
      const services = lab.services.map((s) => `${s.protocol} ${s.vip}:${s.port} ${s.scheduler}`).join(', ');
      console.log(`${file}: ok: lab ${lab.name}, mode ${lab.mode}, ${lab.realServers.length} real servers, ${lab.clients.length} client(s); ${services}`);
    } catch (error) {
      if (!(error instanceof TopologyError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new TopologyError(problems);
  return 0;
}

async function planVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(args, { json: { type: 'boolean' } }, 'lvslab plan FILE [--json]');
  if (positionals.length !== 1) throw new UsageError('lvslab plan needs exactly one FILE');
  const lab = await loadLab(positionals[0]);
  const plan = buildPlan(lab, { serviceScript: SERVICE_SCRIPT });
  process.stdout.write(values.json ? JSON.stringify(plan, null, 2) + '\n' : renderScript(plan, positionals[0]));
  return 0;
}

async function upVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(args, { recreate: { type: 'boolean' }, 'show-status': { type: 'boolean' }, ...RUNNER_OPTION, ...VM_OPTIONS }, 'lvslab up FILE [--recreate] [--runner auto|host|vm]');
  if (positionals.length !== 1) throw new UsageError('lvslab up needs exactly one FILE');
  const lab = await loadLab(positionals[0]);
  const decision = await chooseRunner(oneOf(values.runner, ['auto', 'host', 'vm'] as const, '--runner') as RunnerChoice);
  if (decision.runner === 'vm') {
    log(`${decision.why}. A lab in the microVM lives only as long as the VM: this brings it up, shows its status and powers off.`);
    log('For a lab to explore, run `lvslab vm --shell` and `lvslab up` inside it.');
    const outcome = await runSelfInVm(['up', positionals[0], '--show-status'], values, { stdout: process.stdout, stderr: process.stderr });
    return outcome.exitCode;
  }
  const options = { ...lifecycle(), onStep: undefined };
  const started = Date.now();
  const outcome = await labUp(lab, { serviceScript: SERVICE_SCRIPT }, { ...options, recreate: values.recreate === true });
  if (outcome.status === 'unchanged') {
    console.log(`lab ${lab.name} is already up and matches ${positionals[0]}: nothing to do`);
  } else {
    console.log(`lab ${lab.name} is up (${outcome.plan.namespaces.length} namespaces, ${outcome.plan.steps.length} steps, ${options.runner.spawned} processes, ${Date.now() - started} ms)`);
    if (values['show-status']) console.log(renderStatus(await labStatus(byLab(await findOwned(options.runner, options.host)).get(lab.name) ?? [], options.runner)));
    console.log(`  try: lvslab exec ${lab.name} ${lab.clients[0].name} -- curl -s http://${lab.services[0].vip}:${lab.services[0].port}/`);
  }
  return 0;
}

async function labNameOf(target: string): Promise<string> {
  if (existsSync(target) && /\.ya?ml$/.test(target)) return (await loadLab(target)).name;
  return target;
}

async function downVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(args, { all: { type: 'boolean' } }, 'lvslab down FILE|NAME | --all');
  if (values.all ? positionals.length > 0 : positionals.length !== 1) throw new UsageError('lvslab down takes one FILE or NAME, or --all');
  const target = values.all ? ({ all: true } as const) : await labNameOf(positionals[0]);
  const removed = await labDown(target, lifecycle());
  const what = typeof target === 'string' ? `lab ${target}` : 'every lab';
  console.log(removed.length ? `${what}: removed ${removed.join(' ')}` : `${what}: nothing to remove`);
  return 0;
}

async function statusVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(args, { json: { type: 'boolean' } }, 'lvslab status [NAME] [--json]');
  const { runner, host } = lifecycle();
  requireRoot(host, 'status');
  const labs = byLab(await findOwned(runner, host));
  const names = positionals.length ? positionals : [...labs.keys()];
  const statuses = [];
  for (const name of names) {
    const owned = labs.get(name);
    if (!owned) throw new LabStateError(`no lab named ${name} is running${labs.size ? `; running: ${[...labs.keys()].join(', ')}` : ''}`);
    statuses.push(await labStatus(owned, runner));
  }
  if (values.json) console.log(JSON.stringify(statuses, null, 2));
  else console.log(statuses.length ? statuses.map(renderStatus).join('\n\n') : 'no lab is running');
  return 0;
}

async function execVerb(args: string[]): Promise<number> {
  const { positionals, rest } = parseVerbArgs(args, {}, 'lvslab exec LAB NODE -- CMD...');
  if (positionals.length !== 2 || rest.length === 0) throw new UsageError('usage: lvslab exec LAB NODE -- CMD...');
  const [labName, node] = positionals;
  requireRoot(new LinuxHost(), 'exec');
  const owned = byLab(await findOwned(new ExecaRunner(), new LinuxHost())).get(labName) ?? [];
  if (!owned.some((o) => o.node === node)) {
    throw new LabStateError(`lab ${labName} has no node ${node}${owned.length ? `; nodes: ${owned.map((o) => o.node).join(', ')}` : ' (is it up?)'}`);
  }
  const result = await execa('ip', ['netns', 'exec', namespaceOf(labName, node), ...rest], { stdio: 'inherit', reject: false });
  return result.exitCode ?? 1;
}

async function verifyVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(args, { tap: { type: 'boolean' }, json: { type: 'boolean' }, junit: { type: 'boolean' }, ...RUNNER_OPTION, ...VM_OPTIONS }, 'lvslab verify FILE [--tap|--json|--junit] [--runner auto|host|vm]');
  if (positionals.length !== 1) throw new UsageError('lvslab verify needs exactly one FILE');
  const lab = await loadLab(positionals[0]);
  const decision = await chooseRunner(oneOf(values.runner, ['auto', 'host', 'vm'] as const, '--runner') as RunnerChoice);
  if (decision.runner === 'vm') {
    log(`${decision.why}. A lab lives only as long as the microVM: verifying there means up -> verify -> down, as lvslab test does.`);
    return testVerb(args.filter((a) => a !== '--json'));
  }
  const options = lifecycle();
  requireRoot(options.host, 'verify');
  const owned = byLab(await findOwned(options.runner, options.host)).get(lab.name) ?? [];
  const expected = buildPlan(lab, { serviceScript: SERVICE_SCRIPT }).hash;
  if (owned.length === 0) throw new LabStateError(`lab ${lab.name} is not running: run \`lvslab up ${positionals[0]}\` first (or \`lvslab test ${positionals[0]}\` for up -> verify -> down)`);
  if (owned.some((o) => o.planHash !== expected)) throw new LabStateError(`lab ${lab.name} is running with a different topology than ${positionals[0]}: run \`lvslab up --recreate ${positionals[0]}\` first`);
  const results = await verifyLab(lab, options.runner);
  if (values.json) console.log(JSON.stringify(results, null, 2));
  else if (values.junit) process.stdout.write(renderJUnit(results.map((r) => ({ suite: lab.name, name: r.name, ok: r.ok, details: { where: r.where, expected: r.expected, observed: r.observed } }))));
  else if (values.tap) {
    const tap = new TapWriter((text) => process.stdout.write(text));
    for (const r of results) tap.point({ ok: r.ok, name: `${lab.name}: ${r.name}`, diagnostic: { where: r.where, expected: r.expected, observed: r.observed } });
    tap.end();
  } else console.log(renderChecks(results));
  return results.every((r) => r.ok) ? 0 : 1;
}

/** Observes a lab (running, or brought up for the occasion and taken down) and returns its paths. */
async function observePaths(lab: Lab, file: string): Promise<ObservedPaths | undefined> {
  const options = lifecycle();
  requireRoot(options.host, 'graph');
  const owned = byLab(await findOwned(options.runner, options.host)).get(lab.name) ?? [];
  const running = owned.length > 0 && owned.every((o) => o.planHash === buildPlan(lab, { serviceScript: SERVICE_SCRIPT }).hash);
  if (owned.length > 0 && !running) throw new LabStateError(`lab ${lab.name} is running with a different topology than ${file}: run \`lvslab up --recreate ${file}\` first`);
  if (!running) log(`lab ${lab.name} is not running: bringing it up for the graph, and down again after`);
  if (!running) await labUp(lab, { serviceScript: SERVICE_SCRIPT }, options);
  try {
    return observedPaths(lab, await observeLab(lab, options.runner));
  } finally {
    if (!running) await labDown(lab.name, options);
  }
}

async function graphVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(args, { out: { type: 'string', default: '.' }, 'paths-json': { type: 'boolean' }, ...RUNNER_OPTION, ...VM_OPTIONS }, 'lvslab graph FILE [--out DIR] [--runner auto|host|vm]');
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
    let json = '';
    const sink = new Writable({ write: (chunk, _enc, next) => ((json += chunk.toString()), next()) });
    const outcome = await runSelfInVm(['graph', positionals[0], '--paths-json'], values, { stdout: sink, stderr: process.stderr });
    if (outcome.exitCode !== 0) return outcome.exitCode;
    paths = (JSON.parse(json.trim().split('\n').pop() || 'null') as ObservedPaths | null) ?? undefined;
  }
  const dir = String(values.out);
  await mkdir(dir, { recursive: true });
  const svg = join(dir, `${lab.name}.svg`);
  const mermaid = join(dir, `${lab.name}.mmd`);
  await writeFile(svg, renderSvg(lab, paths));
  await writeFile(mermaid, renderMermaid(lab, paths));
  console.log(`wrote ${svg} and ${mermaid}${paths ? `: request ${paths.request.map((h) => h.from).join(' -> ')} -> ${paths.realServer}, reply ${paths.reply.map((h) => h.from).join(' -> ')} -> ${lab.clients[0].name}` : ' (no path observed)'}`);
  return paths && [...paths.request, ...paths.reply].every((h) => h.carried) ? 0 : 1;
}

async function testVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(args, { tap: { type: 'boolean' }, junit: { type: 'boolean' }, ...RUNNER_OPTION, ...VM_OPTIONS }, 'lvslab test FILE... [--runner auto|host|vm] [--tap|--junit]');
  const quiet = values.tap || values.junit; // machine output owns stdout
  const cases: JUnitCase[] = [];
  if (positionals.length === 0) throw new UsageError('lvslab test needs at least one FILE');
  const decision = await chooseRunner(oneOf(values.runner, ['auto', 'host', 'vm'] as const, '--runner') as RunnerChoice);
  if (!quiet) log(`runner: ${decision.runner} (${decision.why})`);
  const tapOut = (text: string) => process.stdout.write(text);
  const { parser, done } = collectTap((result) => {
    if (!quiet) console.log(formatAssert(result));
    const diag = (result.diag ?? {}) as Record<string, string>;
    cases.push({ ...splitLabName(result.name), ok: result.ok, details: { where: String(diag.where ?? ''), expected: String(diag.expected ?? ''), observed: String(diag.observed ?? diag.error ?? diag.problems ?? '') } });
  });
  const feed = (text: string) => {
    if (values.tap) tapOut(text);
    parser.write(text);
  };
  let vmExit = 0;
  if (decision.runner === 'host') {
    const tap = new TapWriter(feed);
    await testLabs(positionals, tap, lifecycle());
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
  else if (!values.tap) console.log(closingLine(results.pass, results.fail));
  return results.ok && results.count > 0 && vmExit === 0 ? 0 : 1;
}

async function vmVerb(args: string[]): Promise<number> {
  const { values, rest } = parseVerbArgs(args, { ...VM_OPTIONS, shell: { type: 'boolean' }, 'fetch-kernel': { type: 'boolean' } }, `lvslab vm ${VM_USAGE} [--fetch-kernel] [--shell | -- CMD...]`);
  if (values['fetch-kernel']) {
    await fetchDefaultKernel(log);
    if (!values.shell && rest.length === 0) return 0;
  }
  if (!values.shell && rest.length === 0) throw new UsageError(`lvslab vm needs --shell or -- CMD...\nusage: lvslab vm ${VM_USAGE} [--shell | -- CMD...]`);
  const outcome = await runWithVmOptions(values.shell ? undefined : rest, values, { stdout: process.stdout, stderr: process.stderr });
  return outcome.exitCode;
}

const VERBS: Record<string, (args: string[]) => Promise<number>> = {
  validate: validateVerb,
  plan: planVerb,
  up: upVerb,
  down: downVerb,
  status: statusVerb,
  exec: execVerb,
  verify: verifyVerb,
  graph: graphVerb,
  test: testVerb,
  vm: vmVerb,
};

async function main(argv: string[]): Promise<number> {
  const [verb, ...args] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    console.log(USAGE);
    return verb ? 0 : 2;
  }
  const run = VERBS[verb];
  if (!run) throw new UsageError(`unknown verb "${verb}"\n${USAGE}`);
  return run(args);
}

function exitCodeOf(error: unknown): number {
  if (error instanceof TopologyError || error instanceof UsageError) return 2;
  if (error instanceof VmError) return 125;
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const known = error instanceof TopologyError || error instanceof UsageError || error instanceof VmError || error instanceof StepFailedError || error instanceof LabStateError;
    process.stderr.write(`${known ? (error as Error).message : (error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = exitCodeOf(error);
  },
);
