/**
 * The one module that runs commands. Everything else receives a CommandRunner, so the executor's
 * ordering, rollback and idempotence can be tested with a recording fake and no root.
 * Plain node:child_process, not execa: under emulation in the microVM, loading execa cost every lvslab
 * process 1.5-2.4 s before its first command (measured), more than most of the commands it ran.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { systemPath } from './system-path.js';

/** The environment of every command: the caller's, with the system's tools first in reach. */
function commandEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: systemPath() };
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Lines (or text) fed on standard input. */
  input?: string;
  /** Give up after this many milliseconds. */
  timeout?: number;
  /** The working directory (default: this process's). */
  cwd?: string;
}

export interface CommandRunner {
  /** Runs argv to completion; never throws for a non-zero exit (the caller decides). */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Starts argv in the background, detached; resolves once it has survived its start-up. */
  start(argv: readonly string[], options?: StartOptions): Promise<{ pid: number }>;
  /** Starts a capture (tcpdump) and resolves once it says it is listening; stop() ends it and returns its output. */
  capture(argv: readonly string[]): Promise<Capture>;
  /** Runs argv with this terminal's streams as its own (`lvslab exec`); its exit status. */
  attached(argv: readonly string[]): Promise<number>;
  /** How many processes this runner has spawned (benchmarks report it). */
  readonly spawned: number;
}

export interface StartOptions {
  /** A file that keeps the daemon's stdout and stderr (its folder is created); without it they are dropped once it has started. */
  log?: string;
  /** A line the daemon prints on stdout once it serves: the start waits for it (instead of a grace period). */
  ready?: string;
  /** How long it may take to say so (default DAEMON_READY_MS). */
  readyWithinMs?: number;
}

export interface Capture {
  stop(): Promise<string>;
}

/** How long tcpdump may take to say it is listening (it is slow to start under emulation). */
const CAPTURE_READY_MS = 15_000;

/**
 * Interrupted, tcpdump drops the frames it has not printed yet, and under emulation it lags the traffic by seconds: a
 * capture stopped at once after two 1 MiB downloads printed none of their 92 frames. A capture is stopped once it has
 * printed nothing for CAPTURE_QUIET_MS (the traffic it was for is over by then), or after CAPTURE_DRAIN_MS at most.
 */
const CAPTURE_QUIET_MS = 400;
const CAPTURE_DRAIN_MS = 5000;

/** How long a daemon must stay alive to count as started (services start together, so this is paid once). */
const DAEMON_GRACE_MS = 300;

/** How long a daemon may take to say it is ready (Node starts in about a second on a busy emulated guest). */
export const DAEMON_READY_MS = 30_000;

/** Starts a long-lived process whose streams and lifetime the caller manages (the microVM's qemu). */
export function startProcess(argv: readonly string[], stdio: StdioOptions): ChildProcess {
  const [file, ...args] = argv;
  return spawn(file, args, { stdio, env: commandEnv() });
}

/** Runs argv attached to this terminal (stdin, stdout, stderr), as `lvslab exec` does; returns its exit status. */
export function runAttached(argv: readonly string[]): Promise<number> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'inherit', env: commandEnv() });
    child.once('error', (error) => (process.stderr.write(`${file}: ${error.message}\n`), resolve(127)));
    child.once('close', (code) => resolve(code ?? 1));
  });
}

/** Why a command ended without an exit status, in the words the callers show. */
function noStatus(argv: readonly string[], signal: string | null, timeoutMs: number | undefined): string {
  const how = timeoutMs !== undefined && signal === 'SIGTERM' ? `timed out after ${timeoutMs} milliseconds` : `was killed with ${signal}`;
  return `Command ${how}: ${argv.join(' ')}`;
}

/** Runs argv to completion with its output collected; a command that cannot start has status 127 and says why on stderr. */
function collect(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: commandEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let failedToStart: Error | undefined;
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = options.timeout === undefined ? undefined : setTimeout(() => ((timedOut = true), child.kill('SIGTERM')), options.timeout);
    child.once('error', (error) => (failedToStart = error));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const err = Buffer.concat(stderr).toString();
      if (failedToStart) return resolve({ exitCode: 127, stdout: '', stderr: `${err}${failedToStart.message}` });
      if (code === null) {
        return resolve({
          exitCode: 127,
          stdout: Buffer.concat(stdout).toString(),
          stderr: `${err}${noStatus(argv, signal, timedOut ? options.timeout : undefined)}`,
        });
      }
      resolve({ exitCode: code, stdout: Buffer.concat(stdout).toString(), stderr: err });
    });
    // A command that exits without reading its input must not fail the run with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

export class ProcessRunner implements CommandRunner {
  spawned = 0;

  attached(argv: readonly string[]): Promise<number> {
    this.spawned++;
    return runAttached(argv);
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.spawned++;
    return collect(argv, options);
  }

  async start(argv: readonly string[], options: StartOptions = {}): Promise<{ pid: number }> {
    this.spawned++;
    const [file, ...args] = argv;
    // Standard error goes to a file that is unlinked once the daemon has started, unless it is the
    // daemon's log: its start-up errors can be read, and nothing is left behind (a pipe would close
    // with us and kill it with SIGPIPE).
    const logPath = options.log ?? join(tmpdir(), `lvslab-daemon-${process.pid}-${this.spawned}.log`);
    if (options.log) mkdirSync(dirname(options.log), { recursive: true });
    const fd = openSync(logPath, options.log ? 'a+' : 'w+');
    try {
      // A daemon that says when it is ready writes that line to a pipe read here; the pipe is closed after it.
      const stdout = options.ready ? 'pipe' : options.log ? fd : 'ignore';
      const child = spawn(file, args, { detached: true, stdio: ['ignore', stdout, fd], env: commandEnv() });
      const readyMs = options.readyWithinMs ?? DAEMON_READY_MS;
      const outcome = await new Promise<{ exited: boolean; code?: number | null; message?: string }>((resolve) => {
        const timer = setTimeout(
          () => resolve(options.ready ? { exited: true, message: `it did not say "${options.ready}" within ${readyMs} ms` } : { exited: false }),
          options.ready ? readyMs : DAEMON_GRACE_MS,
        );
        child.once('error', (error) => (clearTimeout(timer), resolve({ exited: true, code: 127, message: error.message })));
        child.once('exit', (code) => (clearTimeout(timer), resolve({ exited: true, code })));
        if (options.ready) {
          const ready = options.ready;
          let said = '';
          child.stdout!.on('data', (chunk: Buffer) => {
            said += chunk.toString();
            if (!said.split('\n').includes(ready)) return;
            clearTimeout(timer);
            resolve({ exited: false });
          });
        }
      });
      child.stdout?.destroy();
      if (outcome.exited) {
        if (outcome.code === undefined) child.kill('SIGKILL');
        const status = outcome.code === undefined ? '' : ` with status ${outcome.code}`;
        const why = readFileSync(logPath, 'utf8').trim() || outcome.message || 'no error output';
        throw new Error(`${outcome.code === undefined ? 'was not ready' : `exited at start-up${status}`}: ${why}`);
      }
      child.unref();
      return { pid: child.pid! };
    } finally {
      closeSync(fd);
      if (!options.log) unlinkSync(logPath);
    }
  }

  async capture(argv: readonly string[]): Promise<Capture> {
    this.spawned++;
    const [file, ...args] = argv;
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: commandEnv() });
    let stdout = '';
    let stderr = '';
    let printedAt = Date.now();
    child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), (printedAt = Date.now())));
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${argv.join(' ')} did not start listening within ${CAPTURE_READY_MS} ms: ${stderr.trim()}`)),
        CAPTURE_READY_MS,
      );
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/listening on/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('close', (code) => (clearTimeout(timer), reject(new Error(`${argv.join(' ')} exited with status ${code}: ${stderr.trim()}`))));
    });
    return {
      stop: async () => {
        const drainedBy = Date.now() + CAPTURE_DRAIN_MS;
        while (Date.now() - printedAt < CAPTURE_QUIET_MS && Date.now() < drainedBy) await new Promise((resolve) => setTimeout(resolve, 50));
        child.kill('SIGINT');
        await exited;
        return stdout;
      },
    };
  }
}
