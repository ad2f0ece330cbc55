/**
 * The one module that runs commands. Everything else receives a CommandRunner, so the executor's
 * ordering, rollback and idempotence can be tested with a recording fake and no root.
 */
import { closeSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { execa } from 'execa';

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
}

export interface CommandRunner {
  /** Runs argv to completion; never throws for a non-zero exit (the caller decides). */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Starts argv in the background, detached; resolves once it has survived its start-up. */
  start(argv: readonly string[]): Promise<{ pid: number }>;
  /** How many processes this runner has spawned (benchmarks report it). */
  readonly spawned: number;
}

/** How long a daemon must stay alive to count as started. */
const DAEMON_GRACE_MS = 150;

export class ExecaRunner implements CommandRunner {
  spawned = 0;

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.spawned++;
    const [file, ...args] = argv;
    const result = await execa(file, args, {
      input: options.input ?? '',
      reject: false,
      timeout: options.timeout,
      stripFinalNewline: false,
    });
    const stderr = result.failed && result.exitCode === undefined ? `${result.stderr}${result.shortMessage}` : result.stderr;
    return { exitCode: result.exitCode ?? 127, stdout: result.stdout, stderr };
  }

  async start(argv: readonly string[]): Promise<{ pid: number }> {
    this.spawned++;
    const [file, ...args] = argv;
    // Standard error goes to a file that is unlinked once the daemon has started: its start-up errors
    // can be read, and nothing is left behind (a pipe would close with us and kill it with SIGPIPE).
    const logPath = join(tmpdir(), `lvslab-daemon-${process.pid}-${this.spawned}.log`);
    const fd = openSync(logPath, 'w+');
    try {
      const child = spawn(file, args, { detached: true, stdio: ['ignore', 'ignore', fd] });
      const outcome = await new Promise<{ exited: boolean; code?: number | null; message?: string }>((resolve) => {
        const timer = setTimeout(() => resolve({ exited: false }), DAEMON_GRACE_MS);
        child.once('error', (error) => (clearTimeout(timer), resolve({ exited: true, code: 127, message: error.message })));
        child.once('exit', (code) => (clearTimeout(timer), resolve({ exited: true, code })));
      });
      if (outcome.exited) {
        throw new Error(`exited at start-up with status ${outcome.code}: ${readFileSync(logPath, 'utf8').trim() || outcome.message || 'no error output'}`);
      }
      child.unref();
      return { pid: child.pid! };
    } finally {
      closeSync(fd);
      unlinkSync(logPath);
    }
  }
}
