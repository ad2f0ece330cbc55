/**
 * Progress of long work (booting the microVM, building a lab, probing). On a terminal a task is one
 * live line with a spinner and its elapsed time, replaced by its outcome; when stderr is not a
 * terminal, or in CI, every line is plain and timestamped, so logs read well afterwards.
 * LVSLAB_PROGRESS=live|plain overrides the choice (the microVM's guest inherits the host's).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { progressStyle, type ProgressStyle } from '../model/progress-style.js';

export { progressStyle, type ProgressStyle };
const SPINNER = ['|', '/', '-', '\\'];
const CLEAR_LINE = '\r\u001b[K';

export class Progress {
  /** The tasks under way, in the order they began: on a terminal, one status line shows them all. */
  private readonly live = new Map<number, { label: string; started: number }>();
  private frame = 0;
  private timer?: NodeJS.Timeout;
  private nextId = 0;
  /** Set inside a task's work: a task begun there is part of it (on a terminal it shows nothing of its own). */
  private readonly within = new AsyncLocalStorage<true>();

  constructor(
    private readonly write: (text: string) => void,
    readonly style: ProgressStyle,
    private readonly now: () => number = Date.now,
    /** The terminal's width: the status line stays within one row, so that rewriting it in place works. */
    private readonly columns: () => number | undefined = () => undefined,
  ) {}

  private stamp(): string {
    return new Date(this.now()).toISOString().slice(11, 19);
  }

  private statusLine(): string {
    if (this.live.size === 0) return '';
    const tasks = [...this.live.values()].map(({ label, started }) => `${label}  ${((this.now() - started) / 1000).toFixed(1)} s`);
    const line = `${SPINNER[this.frame % SPINNER.length]} lvslab: ${tasks.join('; ')}`;
    const width = this.columns();
    return width && line.length >= width ? `${line.slice(0, Math.max(0, width - 2))}…` : line;
  }

  /** A line that stays: a fact, a decision, a result. */
  note(line: string): void {
    if (this.style === 'plain') this.write(`${this.stamp()} lvslab: ${line}\n`);
    else this.write(`${this.live.size ? CLEAR_LINE : ''}lvslab: ${line}\n${this.statusLine()}`);
  }

  /**
   * Runs work as a task: live, a ticking status line; plain, a start line and an end line with the time it took.
   * Tasks that run at once (the demo's pair beside its modes) share the status line; a task begun inside
   * another's work is part of it.
   */
  async task<T>(label: string, work: () => Promise<T>): Promise<T> {
    if (this.style === 'live' && this.within.getStore()) return work();
    const started = this.now();
    const elapsed = () => `${((this.now() - started) / 1000).toFixed(1)} s`;
    const id = this.nextId++;
    if (this.style === 'plain') this.write(`${this.stamp()} lvslab: ${label} ...\n`);
    else {
      this.live.set(id, { label, started });
      this.timer ??= setInterval(() => {
        this.frame++;
        this.write(`${CLEAR_LINE}${this.statusLine()}`);
      }, 250);
      this.timer.unref();
      this.write(`${this.live.size > 1 ? CLEAR_LINE : ''}${this.statusLine()}`);
    }
    const finish = (outcome: string) => {
      if (this.style === 'plain') return this.write(`${this.stamp()} lvslab: ${label}: ${outcome} in ${elapsed()}\n`);
      this.live.delete(id);
      if (this.live.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
      this.write(`${CLEAR_LINE}lvslab: ${label}: ${outcome} (${elapsed()})\n${this.statusLine()}`);
    };
    try {
      const value = await this.within.run(true, work);
      finish('done');
      return value;
    } catch (error) {
      finish('failed');
      throw error;
    }
  }
}

/** The CLI's progress, on stderr (stdout stays for results: tables, TAP, JSON). */
export const progress = new Progress(
  (text) => process.stderr.write(text),
  progressStyle(process.env, process.stderr.isTTY === true),
  Date.now,
  () => process.stderr.columns,
);
