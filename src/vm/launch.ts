/**
 * Boots the microVM and runs one command (or a shell) in it. The kernel console is the serial port
 * ttyS0; the command's stdout and stderr come back on channels of their own (see machine.ts); the exit
 * status comes back through a writable 9p share. A panic, a hang or a failed boot is a VmError, never a pass.
 */
import type { ChildProcess } from 'node:child_process';
import { startProcess } from '../apply/runner.js';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { quoteArgument } from '../plan/render-script.js';
import { PACKAGE_ROOT } from '../model/package-root.js';
import { ensureInitramfs, BOOT_MARKER, GUEST_RUN_DIR, HOT_FILES, SHARE_TAGS } from './initramfs.js';
import {
  DEFAULT_TCG_CPU,
  guestAslrFromEnv,
  machine,
  machineFromEnv,
  TCG_CPUS,
  tcgCpuFromEnv,
  type Machine,
  type MachineKind,
  type Share,
  type TcgCpu,
} from './machine.js';
import { hostTscKhz } from './host-tsc.js';
import { pvhImage } from './pvh-kernel.js';
import { cacheDir, defaultKernel, VmError, type Kernel } from './kernel.js';
import { forgetKvmFailure, kvmUsable, rememberedKvmFailure, rememberKvmFailure, verdictFile } from './kvm-verdict.js';
import { progressStyle } from '../model/progress-style.js';
import { lastLines } from '../model/text.js';
import { systemPath } from '../apply/system-path.js';

export type Accel = 'auto' | 'kvm' | 'tcg';

export interface VmRequest {
  /** The command to run; undefined opens an interactive shell on the console. */
  argv?: string[];
  cwd: string;
  env: Record<string, string>;
  kernel: Kernel;
  accel: Accel;
  memoryMb: number;
  /** Virtual CPUs (default 2). Two VMs at once on two cores want one each: a guest spinning on a lock held by a descheduled vCPU wastes its core. */
  cpus?: number;
  timeoutSec: number;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  log: (line: string) => void;
  /** Copy the guest's kernel console to stderr (for debugging boots). */
  showConsole?: boolean;
  /** Directories to show in the guest at the same path; those under the host's /tmp or /run are added anyway. */
  shares?: string[];
  /**
   * The guest's root (read-only, under a tmpfs overlay): the host's own by default; another directory
   * (a Debian root built for the Vagrant path) shows only `shares`, not the host's checkout.
   */
  root?: string;
  /**
   * A virtio network card behind qemu's user-mode network: 'user' reaches the package registries
   * through the host; 'isolated' is the same card with no way out (qemu's restrict=on).
   */
  network?: 'user' | 'isolated';
  /** The virtual machine (machine.ts): microvm unless LVSLAB_VM_MACHINE says pc. */
  machine?: MachineKind;
  /** Address-space randomization in the guest (machine.ts, guestAslrFromEnv): off unless asked for. */
  aslr?: boolean;
  /** The guest's CPU under software emulation (machine.ts, tcgCpuFromEnv): x86-64-v2 unless LVSLAB_VM_CPU says max. */
  tcgCpu?: TcgCpu;
  /**
   * A command that talks back (the resident guest's agent): it gets the out port read-write, named by
   * LVSLAB_CHANNEL; `channel` gets the host's end once qemu connects it; its own stdout and stderr both go to `stderr`.
   */
  channel?: (socket: Socket) => void;
  /**
   * Files of the host's root (relative paths) copied into the guest's tmpfs overlay at boot, so that the programs a
   * resident guest runs thousands of times start without the 9p root (hot-files.ts). Ignored with another `root`.
   */
  hotFiles?: string[];
}

function foreignRoot(request: Pick<VmRequest, 'root'>): boolean {
  return request.root !== undefined && request.root !== '/';
}

/** The guest gets fresh /tmp and /run: host directories under them need a share of their own. */
const HIDDEN_IN_GUEST = /^\/(tmp|run)(\/|$)/;

export function extraShares(request: Pick<VmRequest, 'cwd' | 'shares' | 'root'>): string[] {
  const wanted = foreignRoot(request)
    ? (request.shares ?? [])
    : [request.cwd, PACKAGE_ROOT.replace(/\/$/, ''), ...(request.shares ?? [])].filter((p) => HIDDEN_IN_GUEST.test(p));
  // A directory inside another shared one comes with it.
  return [...new Set(wanted)].filter((p, _, all) => !all.some((q) => q !== p && p.startsWith(`${q}/`)));
}

export interface VmOutcome {
  exitCode: number;
  accel: 'kvm' | 'tcg';
  /** Guest uptime when the command started: kernel boot to first command, in seconds. */
  bootSeconds?: number;
}

/** How long KVM gets to prove it boots before software emulation takes over. */
export const KVM_HANDSHAKE_MS = 8000;

/** The handshake window in force: LVSLAB_KVM_HANDSHAKE_MS widens it (a host whose KVM boots slowly; tests whose stand-in boots by emulation). */
export function kvmHandshakeMs(env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env.LVSLAB_KVM_HANDSHAKE_MS);
  return Number.isInteger(asked) && asked > 0 ? asked : KVM_HANDSHAKE_MS;
}
/** Environment variables carried into the guest; everything else stays on the host. */
const CARRIED_ENV = /^(PATH|HOME|TERM|LANG|LC_[A-Z]+|TZ|CI|NODE_OPTIONS|NO_COLOR|FORCE_COLOR|LVSLAB_[A-Z_]+)$/;

/**
 * The carried variables, with LVSLAB_PROGRESS set from the host's terminal: the guest's stderr is a
 * serial port (a tty), so without it the guest would draw spinner frames into a host's log file.
 */
export function guestEnvironment(env: NodeJS.ProcessEnv, hostStderrIsTty = process.stderr.isTTY === true): Record<string, string> {
  // A resident guest's socket is this host's: inside another microVM it names nothing.
  const carried = Object.fromEntries(Object.entries(env).filter(([k, v]) => CARRIED_ENV.test(k) && k !== 'LVSLAB_GUEST' && v !== undefined)) as Record<
    string,
    string
  >;
  return { ...carried, PATH: systemPath(env.PATH), LVSLAB_PROGRESS: progressStyle(env, hostStderrIsTty) };
}

/**
 * A request with this process's defaults filled in: its working directory and (carried) environment,
 * automatic acceleration, 2 GiB, 30 minutes, and Debian's kernel (fetched when missing).
 */
export async function vmRequest(request: Pick<VmRequest, 'argv' | 'stdout' | 'stderr' | 'log'> & Partial<VmRequest>): Promise<VmRequest> {
  return {
    cwd: process.cwd(),
    env: guestEnvironment(process.env),
    accel: 'auto',
    memoryMb: 2048,
    timeoutSec: 1800,
    machine: machineFromEnv().kind,
    aslr: guestAslrFromEnv(),
    tcgCpu: tcgCpuFromEnv(),
    ...request,
    kernel: request.kernel ?? (await defaultKernel({ fetch: true, log: request.log })),
  };
}

/** The script the guest's init runs inside the chroot; it must end by powering off. */
export function guestScript(request: Pick<VmRequest, 'argv' | 'cwd' | 'env' | 'machine'> & { duplex?: boolean }): string {
  const exports = Object.entries({ ...request.env, LVSLAB_IN_VM: '1' }).map(([k, v]) => `export ${k}=${quoteArgument(v)}`);
  const { prepare, out, err } = machine(request.machine ?? 'microvm').guestStreams;
  const run = request.argv
    ? [
        prepare,
        `cd ${quoteArgument(request.cwd)} 2>${err} || { echo "lvslab vm: ${request.cwd} is not visible in the guest" >${err}; echo 126 > ` +
          `${GUEST_RUN_DIR}/exit; poweroff_now; }`,
        request.duplex
          ? `LVSLAB_CHANNEL=${out} ${request.argv.map(quoteArgument).join(' ')} </dev/null >${err} 2>&1`
          : `${request.argv.map(quoteArgument).join(' ')} </dev/null >${out} 2>${err}`,
      ]
    : [
        `cd ${quoteArgument(request.cwd)} 2>/dev/null || cd /`,
        'echo "lvslab vm: shell in the guest; exit to power off"',
        'setsid -c /bin/bash -l </dev/ttyS0 >/dev/ttyS0 2>&1',
      ];
  return [
    '# lvslab microVM guest script (generated)',
    'poweroff_now() { sync; echo o > /proc/sysrq-trigger; sleep 10; }',
    ...exports,
    // The moment the guest is ready for the command, read by the shell itself (no process to start).
    `read -r up _ < /proc/uptime; echo "$up" > ${GUEST_RUN_DIR}/started`,
    ...run,
    `echo $? > ${GUEST_RUN_DIR}/exit`,
    'poweroff_now',
    '',
  ].join('\n');
}

/** The 9p shares: the root (read-only), the kernel's modules, the run folder (writable), and the extra directories. */
function shares(request: VmRequest, runDir: string): Share[] {
  return [
    { tag: SHARE_TAGS.root, path: request.root ?? '/', readonly: true },
    { tag: SHARE_TAGS.modules, path: request.kernel.modulesRoot, readonly: true },
    { tag: SHARE_TAGS.run, path: runDir, readonly: false },
    ...extraShares(request).map((path, i) => ({ tag: `lvsextra${i}`, path, readonly: true })),
  ];
}

function qemuArgs(request: VmRequest, accel: 'kvm' | 'tcg', boot: BootPlan, runDir: string): string[] {
  const channels = {
    console: request.argv ? `unix:${join(runDir, 'console.sock')}` : 'mon:stdio',
    out: join(runDir, 'out.sock'),
    err: join(runDir, 'err.sock'),
  };
  return [
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-no-reboot',
    ...(accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'max'] : ['-accel', 'tcg,thread=multi', '-cpu', TCG_CPUS[request.tcgCpu ?? DEFAULT_TCG_CPU]]),
    '-m',
    String(request.memoryMb),
    '-smp',
    String(request.cpus ?? 2),
    '-kernel',
    boot.kernel,
    '-initrd',
    boot.initramfs,
    '-append',
    `console=ttyS0 loglevel=1 panic=-1 rdinit=/init ${request.aslr ? '' : 'norandmaps '}${boot.cmdline}`,
    ...boot.machine.deviceArgs(channels, shares(request, runDir), request.network),
  ];
}

/** What one boot uses: the machine, its kernel image (PVH where it can), its initramfs and command line. */
interface BootPlan {
  machine: Machine;
  kernel: string;
  initramfs: string;
  cmdline: string;
}

/**
 * The machine that boots here and its command line: the one asked for, or pc when the microvm machine
 * cannot boot reliably under this accelerator (emulation on a host that does not say its TSC rate).
 */
export function chooseMachine(asked: MachineKind, accel: 'kvm' | 'tcg', tscKhz: number | undefined): { machine: Machine; cmdline: string; note?: string } {
  const wanted = machine(asked);
  const cmdline = wanted.cmdline(accel, tscKhz);
  if (cmdline !== undefined) return { machine: wanted, cmdline };
  const pc = machine('pc');
  return {
    machine: pc,
    cmdline: pc.cmdline(accel, tscKhz)!,
    note: 'this host does not say its TSC rate, which the microvm machine needs under software emulation; booting the pc machine (slower)',
  };
}

/** The boot for this request under this accelerator, with the host's TSC rate (asked once per run, not per attempt). */
async function bootPlan(request: VmRequest, accel: 'kvm' | 'tcg', tscKhz: number | undefined): Promise<BootPlan> {
  const chosen = chooseMachine(request.machine ?? 'microvm', accel, tscKhz);
  if (chosen.note) request.log(chosen.note);
  const pvh = chosen.machine.pvh ? await pvhImage(request.kernel) : undefined;
  return {
    machine: chosen.machine,
    kernel: pvh ?? request.kernel.vmlinuz,
    initramfs: await ensureInitramfs(request.kernel, chosen.machine.bootModules),
    cmdline: chosen.cmdline,
  };
}

/** A unix socket that qemu connects a serial port to; what arrives is handed to `sink`. */
function serialSink(path: string, sink: (chunk: Buffer) => void, onSocket?: (socket: Socket) => void): Promise<{ server: Server; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let markClosed: () => void = () => undefined;
    const closed = new Promise<void>((r) => (markClosed = r));
    const server = createServer((socket) => {
      onSocket?.(socket);
      socket.on('data', sink);
      socket.on('close', () => markClosed());
    });
    server.once('error', reject);
    server.listen(path, () => resolve({ server, closed }));
  });
}

interface Attempt {
  exit: 'exited' | 'timeout' | 'no-handshake';
  qemuStatus: number | null;
  qemuSignal: NodeJS.Signals | null;
  qemuStderr: string;
  console: string;
  /** The guest's init printed its marker: the kernel booted under this accelerator. */
  handshook: boolean;
}

/** The qemu runs under way, so that a signal to lvslab stops them and removes their run folders. */
const live = new Set<{ qemu: ChildProcess; runDir: string }>();

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

function stopEverythingOn(signal: NodeJS.Signals): void {
  for (const { qemu, runDir } of live) {
    qemu.kill('SIGKILL');
    rmSync(runDir, { recursive: true, force: true });
  }
  live.clear();
  // The usual status of a process ended by this signal.
  process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 15));
}

function watchSignals(): () => void {
  const handler = (signal: NodeJS.Signals) => stopEverythingOn(signal);
  const signals = Object.keys(SIGNAL_NUMBERS) as NodeJS.Signals[];
  for (const signal of signals) process.on(signal, handler);
  return () => signals.forEach((signal) => process.off(signal, handler));
}

async function boot(request: VmRequest, accel: 'kvm' | 'tcg', tscKhz: number | undefined, runDir: string, handshake: boolean): Promise<Attempt> {
  const plan = await bootPlan(request, accel, tscKhz);
  await writeFile(join(runDir, 'guest.sh'), guestScript({ ...request, machine: plan.machine.kind, duplex: request.channel !== undefined }));
  let consoleText = '';
  const sinks = request.argv
    ? await Promise.all([
        serialSink(join(runDir, 'console.sock'), (chunk) => {
          consoleText = (consoleText + chunk.toString()).slice(-65536);
          if (request.showConsole) request.stderr.write(chunk);
        }),
        serialSink(join(runDir, 'out.sock'), (chunk) => request.stdout.write(chunk), request.channel),
        serialSink(join(runDir, 'err.sock'), (chunk) => request.stderr.write(chunk)),
      ])
    : await Promise.all([serialSink(join(runDir, 'out.sock'), () => undefined), serialSink(join(runDir, 'err.sock'), () => undefined)]);
  const qemu: ChildProcess = startProcess(
    ['qemu-system-x86_64', ...qemuArgs(request, accel, plan, runDir)],
    request.argv ? ['ignore', 'ignore', 'pipe'] : ['inherit', 'inherit', 'pipe'],
  );
  const entry = { qemu, runDir };
  live.add(entry);
  let qemuStderr = '';
  let handshook = false;
  qemu.stderr?.on('data', (chunk: Buffer) => (qemuStderr = (qemuStderr + chunk.toString()).slice(-8192)));
  let reason: Attempt['exit'] = 'exited';
  const timers: NodeJS.Timeout[] = [];
  timers.push(setTimeout(() => ((reason = 'timeout'), qemu.kill('SIGKILL')), request.timeoutSec * 1000));
  if (handshake) {
    timers.push(
      setTimeout(() => {
        // A shell's console is the user's terminal, unseen here: there only an early death counts.
        handshook = !request.argv || consoleText.includes(BOOT_MARKER);
        if (!handshook) {
          reason = 'no-handshake';
          qemu.kill('SIGKILL');
        }
      }, kvmHandshakeMs()),
    );
  }
  const ended = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    qemu.once('error', (error) => ((qemuStderr += error.message), resolve({ code: 127, signal: null })));
    qemu.once('exit', (code, signal) => resolve({ code, signal }));
  });
  timers.forEach(clearTimeout);
  live.delete(entry);
  // Let the serial streams drain what qemu wrote before it exited (the bound cleared, or it would hold the process).
  let drainBound: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(sinks.map((s) => s.closed)), new Promise((r) => (drainBound = setTimeout(r, 500)))]);
  clearTimeout(drainBound);
  sinks.forEach((s) => s.server.close());
  handshook ||= consoleText.includes(BOOT_MARKER);
  return { exit: reason, qemuStatus: ended.code, qemuSignal: ended.signal, qemuStderr, console: consoleText, handshook };
}

/** What a KVM boot that never printed the guest's marker is called, in both the fallback line and the error. */
function noHandshake(): string {
  return `KVM did not finish booting within ${kvmHandshakeMs() / 1000} s`;
}

/** qemu's own words for a run that ended before the guest booted. */
function qemuFailure(attempt: Attempt): string {
  const status = attempt.qemuSignal ? `killed by ${attempt.qemuSignal}` : `status ${attempt.qemuStatus}`;
  return `qemu-system-x86_64 failed (${status}): ${lastLines(attempt.qemuStderr, 4) || 'no message'}`;
}

function failure(attempt: Attempt, request: VmRequest): VmError {
  const tail = lastLines(attempt.console, 15);
  if (attempt.exit === 'timeout') {
    return new VmError(`the microVM timed out after ${request.timeoutSec} s and was killed${tail ? `; its console ended with:\n${tail}` : ''}`);
  }
  if (attempt.exit === 'no-handshake') return new VmError(noHandshake());
  const panic = /Kernel panic[^\n]*/.exec(attempt.console);
  if (panic) return new VmError(`the guest kernel panicked: ${panic[0].trim()}\n${tail}`);
  const init = /lvslab-init: [^\n]*/.exec(attempt.console);
  if (init) return new VmError(`the microVM failed to boot: ${init[0].trim()}`);
  // Only a qemu that cannot be started at all is a missing package.
  if (attempt.qemuStatus === 127 && /ENOENT/.test(attempt.qemuStderr))
    return new VmError('qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)');
  if (attempt.qemuStatus !== 0) return new VmError(qemuFailure(attempt));
  return new VmError(`the guest stopped without reporting an exit status${tail ? `; its console ended with:\n${tail}` : ''}`);
}

/** Why a KVM attempt is no good (it never booted the guest), or undefined when it booted. */
function kvmFailure(attempt: Attempt): string | undefined {
  if (attempt.handshook) return undefined;
  if (attempt.exit === 'no-handshake') return noHandshake();
  return qemuFailure(attempt);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Run folders of lvslab processes that no longer exist (killed with -9, a power cut). */
export async function removeStaleRunDirs(runs: string): Promise<string[]> {
  const entries = await readdir(runs).catch(() => [] as string[]);
  const stale = entries.filter((entry) => {
    const pid = Number(entry.split('-')[0]);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid);
  });
  await Promise.all(stale.map((entry) => rm(join(runs, entry), { recursive: true, force: true })));
  return stale;
}

/** The accelerator to try first for `auto`: KVM, unless its device is unusable or it failed on this host before. */
async function firstAccel(request: VmRequest): Promise<'kvm' | 'tcg'> {
  if (request.accel !== 'auto') return request.accel;
  if (!kvmUsable()) {
    request.log('using software emulation (TCG): /dev/kvm is not usable here');
    return 'tcg';
  }
  const before = await rememberedKvmFailure();
  if (before === undefined) return 'kvm';
  request.log(
    `using software emulation (TCG): KVM could not run the guest on this host before (${before.split('\n')[0]}); delete ${verdictFile()} to try it again`,
  );
  return 'tcg';
}

export async function runInVm(request: VmRequest): Promise<VmOutcome> {
  // Only the microvm machine uses the rate; a bad LVSLAB_TSC_KHZ is refused before anything is made.
  const tscKhz = (request.machine ?? 'microvm') === 'microvm' ? await hostTscKhz() : undefined;
  const runs = join(cacheDir(), 'runs');
  await removeStaleRunDirs(runs);
  const runDir = join(runs, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  await mkdir(runDir, { recursive: true });
  const unwatch = watchSignals();
  try {
    await writeFile(
      join(runDir, 'shares'),
      extraShares(request)
        .map((path, i) => `lvsextra${i} ${path}\n`)
        .join(''),
    );
    await writeFile(join(runDir, HOT_FILES), request.root ? '' : (request.hotFiles ?? []).map((f) => `${f}\n`).join(''));
    let accel = await firstAccel(request);
    const tryingKvm = accel === 'kvm' && request.accel === 'auto';
    let attempt = await boot(request, accel, tscKhz, runDir, tryingKvm);
    const kvmProblem = tryingKvm ? kvmFailure(attempt) : undefined;
    if (kvmProblem !== undefined) {
      // A KVM that died is broken for good; one that only timed out may have met a busy host: given up after HANGS_BEFORE_GIVING_UP in a row.
      const hang = attempt.exit === 'no-handshake';
      const remembered = hang ? 'counted for this host (a second time in a row and it is no longer tried)' : 'remembered for this host';
      request.log(`KVM cannot run the guest here (${kvmProblem.split('\n').join(' | ')}); using software emulation (TCG), ${remembered}`);
      await rememberKvmFailure(kvmProblem, hang);
      accel = 'tcg';
      attempt = await boot(request, accel, tscKhz, runDir, false);
    } else if (accel === 'kvm' && attempt.handshook) {
      request.log('using KVM');
      if (tryingKvm) await forgetKvmFailure();
    }
    const exitFile = join(runDir, 'exit');
    if (attempt.exit !== 'exited' || !existsSync(exitFile)) throw failure(attempt, request);
    const started = join(runDir, 'started');
    const bootSeconds = existsSync(started) ? Number(readFileSync(started, 'utf8').trim()) : undefined;
    return { exitCode: Number(readFileSync(exitFile, 'utf8').trim()), accel, bootSeconds };
  } finally {
    unwatch();
    await rm(runDir, { recursive: true, force: true });
  }
}
