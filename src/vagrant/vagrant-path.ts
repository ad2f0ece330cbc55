/**
 * The Vagrant path, proven without Vagrant: for each root (the box without Node, the box with Debian's
 * Node 18) boot Debian's kernel on that root with a network, copy the checkout in, run the
 * Vagrantfile's own provisioning line, then lvslab's demo and labs on the guest kernel's IPVS.
 * Prints one row per step and ends with `N passed, N failed, N skipped`.
 */
import { appendFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { CommandRunner } from '../apply/runner.js';
import { PACKAGE_ROOT } from '../model/package-root.js';
import type { Kernel } from '../vm/kernel.js';
import { removeStaleRunDirs, type Accel, type VmOutcome, type VmRequest } from '../vm/launch.js';
import { boxSteps, type Break } from './box-steps.js';
import { ROOT_KIND_TITLES, rootsDir, type Root, type RootKind } from './debian-root.js';
import { guestStepsScript, parseGuestSteps, STEP_MARKER, stepMarker, type StepStatus } from './guest-steps.js';
import { networkTrust, type NetworkTrust } from './network-trust.js';
import { provisioningLine, rsyncExcludes } from './vagrantfile.js';

export interface VagrantPathOptions {
  kinds: RootKind[];
  break?: Break;
  accel: Accel;
  memoryMb: number;
  timeoutSec: number;
  /** Where each guest's whole output is written, one file per root. */
  logDir: string;
  /** The table and the closing line. */
  out: (line: string) => void;
  /** Progress, to stderr. */
  log: (line: string) => void;
}

export interface VagrantPathDeps {
  runner: CommandRunner;
  kernel: () => Promise<Kernel>;
  buildRoot: (kind: RootKind) => Promise<Root>;
  runGuest: (request: VmRequest) => Promise<VmOutcome>;
  /** What the host's network asks a machine to trust (default: read from this host). */
  trust?: NetworkTrust;
}

export interface Row {
  kind: RootKind;
  step: string;
  title: string;
  status: StepStatus;
  seconds?: number;
  /** Why it failed, with the tail of what the guest printed. */
  failure?: string;
}

const TAIL_LINES = 25;

function tail(text: string, lines = TAIL_LINES): string {
  return text
    .replaceAll('\r', '\n')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join('\n');
}

function sink(collect: (text: string) => void): Writable {
  const decoder = new StringDecoder('utf8'); // a character may be split across serial-port chunks
  return new Writable({
    write(chunk: Buffer, _encoding, next) {
      collect(decoder.write(chunk));
      next();
    },
  });
}

/** Turns the guest's step markers into progress lines, whole lines only (a chunk may end mid-line). */
export function markerProgress(kind: RootKind, log: (line: string) => void): (text: string) => void {
  let pending = '';
  return (text) => {
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    for (const marker of lines.map(stepMarker)) {
      if (marker?.edge === 'begin') log(`${kind}: ${marker.step} ...`);
      if (marker?.edge === 'end')
        log(`${kind}: ${marker.step} ${marker.exitCode === 0 ? 'passed' : `failed (status ${marker.exitCode})`} in ${marker.seconds} s`);
    }
  };
}

/** The host side of the synced folder: rsync of the checkout with the Vagrantfile's excludes. */
async function copyCheckout(runner: CommandRunner, excludes: string[], target: string): Promise<void> {
  await mkdir(target, { recursive: true });
  const argv = ['rsync', '-a', '--delete', ...excludes.map((e) => `--exclude=${e}`), PACKAGE_ROOT.replace(/\/?$/, '/'), `${target}/`];
  const result = await runner.run(argv);
  if (result.exitCode !== 0) throw new Error(`copying the checkout failed: ${argv.join(' ')}\n${result.stderr.trim()}`);
}

async function runRoot(kind: RootKind, checkout: string, provisioning: string, options: VagrantPathOptions, deps: VagrantPathDeps): Promise<Row[]> {
  const rows: Row[] = [];
  const steps = boxSteps({ provisioning, checkoutCopy: checkout, labs: kind === 'no-node', break: options.break });
  const trust = deps.trust ?? networkTrust();
  const notRun = () => steps.map((s) => ({ kind, step: s.name, title: s.title, status: 'not run' as const }));
  const started = Date.now();
  let root: Root;
  try {
    root = await deps.buildRoot(kind);
  } catch (error) {
    rows.push({ kind, step: 'root', title: ROOT_KIND_TITLES[kind], status: 'failed', failure: (error as Error).message });
    return [...rows, { kind, step: 'boot', title: "Debian's kernel on the root", status: 'not run' }, ...notRun()];
  }
  rows.push({
    kind,
    step: 'root',
    title: `${ROOT_KIND_TITLES[kind]}, release ${root.release}${root.built ? ', built now' : ', from the cache'}`,
    status: 'passed',
    seconds: (Date.now() - started) / 1000,
  });
  let output = '';
  const logFile = join(options.logDir, `${kind}.log`);
  await writeFile(logFile, '');
  options.log(`booting the ${kind} root; the guest's output goes to ${logFile} as it comes`);
  const progress = markerProgress(kind, options.log);
  const collect = (text: string) => {
    output += text;
    appendFileSync(logFile, text);
    progress(text);
  };
  let outcome: VmOutcome | undefined;
  let vmFailure: string | undefined;
  try {
    outcome = await deps.runGuest({
      argv: ['bash', '-c', guestStepsScript(steps)],
      cwd: '/',
      env: {
        PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        HOME: '/root',
        LANG: 'C.UTF-8',
        LVSLAB_PROGRESS: 'plain',
        ...trust.env,
      },
      kernel: await deps.kernel(),
      accel: options.accel,
      memoryMb: options.memoryMb,
      timeoutSec: options.timeoutSec,
      root: root.dir,
      network: options.break === 'network' ? 'isolated' : 'user',
      shares: [checkout, ...trust.shares],
      stdout: sink(collect),
      stderr: sink(collect),
      log: options.log,
    });
  } catch (error) {
    vmFailure = (error as Error).message;
  }
  const accel = outcome?.accel === 'kvm' ? 'KVM' : outcome ? 'TCG' : '';
  rows.push({
    kind,
    step: 'boot',
    title: `Debian's kernel on the root${accel ? ` (${accel})` : ''}, to the first command`,
    status: outcome?.bootSeconds !== undefined || output.includes(STEP_MARKER) ? 'passed' : 'failed',
    seconds: outcome?.bootSeconds,
    failure: vmFailure && !output.includes(STEP_MARKER) ? vmFailure : undefined,
  });
  for (const result of parseGuestSteps(steps, output)) {
    const row: Row = { kind, step: result.name, title: result.title, status: result.status, seconds: result.seconds };
    if (result.status === 'failed') {
      const why = result.exitCode === undefined ? `the guest stopped during it${vmFailure ? `: ${vmFailure}` : ''}` : `exit status ${result.exitCode}`;
      row.failure = `${why}\n--- the guest's console, last lines of this step ---\n${tail(result.output) || '(nothing printed)'}`;
    }
    rows.push(row);
  }
  return rows;
}

function seconds(value: number | undefined): string {
  return value === undefined ? '' : `${value.toFixed(1)} s`;
}

export function renderRows(rows: Row[]): string {
  const lines = ['| root | step | result | time | what |', '|---|---|---|---:|---|'];
  for (const r of rows) lines.push(`| ${r.kind} | ${r.step} | ${r.status} | ${seconds(r.seconds)} | ${r.title.replaceAll('|', '\\|')} |`);
  return lines.join('\n');
}

export function closingLine(rows: Row[]): string {
  const count = (status: StepStatus) => rows.filter((r) => r.status === status).length;
  return `${count('passed')} passed, ${count('failed')} failed, ${count('not run')} skipped`;
}

/** Runs the path for every asked root; resolves to the rows (the exit status is 0 only when none failed). */
export async function runVagrantPath(options: VagrantPathOptions, deps: VagrantPathDeps): Promise<Row[]> {
  const vagrantfile = await readFile(join(PACKAGE_ROOT, 'Vagrantfile'), 'utf8');
  const provisioning = provisioningLine(vagrantfile);
  await mkdir(options.logDir, { recursive: true });
  // Copies left by a run that was killed (Ctrl-C ends lvslab from inside the microVM runner) go first.
  const checkouts = join(rootsDir(), 'checkouts');
  await removeStaleRunDirs(checkouts);
  const checkout = join(checkouts, `${process.pid}-vagrant`);
  const rows: Row[] = [];
  try {
    await copyCheckout(deps.runner, rsyncExcludes(vagrantfile), checkout);
    for (const kind of options.kinds) rows.push(...(await runRoot(kind, checkout, provisioning, options, deps)));
  } finally {
    await rm(checkout, { recursive: true, force: true });
  }
  options.out(renderRows(rows));
  for (const r of rows.filter((row) => row.failure)) options.out(`\nFAILED ${r.kind} / ${r.step}: ${r.title}\n${r.failure}`);
  options.out(closingLine(rows));
  return rows;
}
