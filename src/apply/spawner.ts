/**
 * The other end of the resident Perl spawner (spawner.pl), which starts the microVM agent's short commands: Node
 * forks its whole process for each child (libuv has no vfork on Linux), 18 ms of the guest's emulated CPU a command
 * against 8 for a line to the spawner and its fork. A request and its answer are a line each; the command's streams
 * go through files in a folder of the spawner's own (its stdin too, when it has input).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ResidentSpawner, RunOptions, RunResult } from './runner.js';

/** How a command ended, as the spawner says it. */
export type Ending = { exit: number } | { signal: NodeJS.Signals | string; timedOut: boolean };

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));

/** An answer line: `ID exit CODE` or `ID signal NUMBER TIMED_OUT`; undefined for anything else. */
export function parseAnswer(line: string): { id: string; ending: Ending } | undefined {
  const [id, kind, value, timedOut] = line.split('\t');
  if (kind === 'exit' && /^\d+$/.test(value)) return { id, ending: { exit: Number(value) } };
  if (kind === 'signal' && /^\d+$/.test(value))
    return { id, ending: { signal: SIGNAL_NAMES.get(Number(value)) ?? `signal ${value}`, timedOut: timedOut === '1' } };
  return undefined;
}

const hex = (text: string) => Buffer.from(text).toString('hex');

/** The request line for a command (see spawner.pl). */
export function requestLine(id: string, argv: readonly string[], options: RunOptions): string {
  const words = [id, String(options.timeout ?? 0), options.cwd === undefined ? '-' : hex(options.cwd), options.input === undefined ? '0' : '1'];
  return `${[...words, ...argv.map(hex)].join('\t')}\n`;
}

export class Spawner implements ResidentSpawner {
  private readonly waiting = new Map<string, (ending: Ending | Error) => void>();
  private next = 0;
  /** Why the spawner is gone, once it is. */
  gone?: string;

  /** `start` runs `perl spawner.pl DIR` with its stdin and stdout piped to this side. */
  constructor(
    start: (dir: string) => ChildProcess,
    private readonly dir = mkdtempSync(join(tmpdir(), 'lvslab-spawner-')),
    private readonly child = start(dir),
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const answer = parseAnswer(line);
      const settle = answer && this.waiting.get(answer.id);
      if (!answer || !settle) return;
      this.waiting.delete(answer.id);
      settle(answer.ending);
    });
    child.stdin!.on('error', () => undefined);
    child.once('error', (error) => this.end(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => this.end(`ended with ${signal ?? `status ${code}`}`));
  }

  private end(why: string): void {
    this.gone ??= `the spawner ${why}`;
    for (const settle of this.waiting.values()) settle(new Error(this.gone));
    this.waiting.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs argv as the runner's `run` does: statuses, streams and messages the same. Rejects when the spawner is gone. */
  async run(argv: readonly string[], options: RunOptions, noStatus: (signal: string, timeoutMs?: number) => string): Promise<RunResult> {
    if (this.gone) throw new Error(this.gone);
    const id = String(this.next++);
    const file = (suffix: string) => join(this.dir, `${id}.${suffix}`);
    if (options.input !== undefined) writeFileSync(file('in'), options.input);
    const ending = await new Promise<Ending | Error>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin!.write(requestLine(id, argv, options));
    });
    const read = (suffix: string) => {
      try {
        return readFileSync(file(suffix), 'utf8');
      } catch {
        return '';
      } finally {
        unlinkQuietly(file(suffix));
      }
    };
    const [stdout, stderr] = [read('out'), read('err')];
    if (options.input !== undefined) unlinkQuietly(file('in'));
    if (ending instanceof Error) throw ending;
    if ('exit' in ending) return { exitCode: ending.exit, stdout, stderr };
    return { exitCode: 127, stdout, stderr: `${stderr}${noStatus(ending.signal, ending.timedOut ? options.timeout : undefined)}` };
  }

  /** Ends the spawner (its commands are left to end as they do). */
  close(): void {
    this.child.stdin!.end();
  }
}

/** Removes a file of the spawner's folder; one already gone (the spawner ended and took its folder) is no matter. */
function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}
