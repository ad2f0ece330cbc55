/**
 * Progress of long work (booting the microVM, building a lab, probing). On a terminal a task is one
 * live line with a spinner and its elapsed time, replaced by its outcome; when stderr is not a
 * terminal, or in CI, every line is plain and timestamped, so logs read well afterwards.
 * LVSLAB_PROGRESS=live|plain overrides the choice (the microVM's guest inherits the host's).
 */
import { progressStyle, type ProgressStyle } from '../model/progress-style.js';

export { progressStyle, type ProgressStyle };
const SPINNER = ['|', '/', '-', '\\'];
const CLEAR_LINE = '\r\u001b[K';

export class Progress {
  private live?: { label: string; started: number; frame: number; timer: NodeJS.Timeout };

  constructor(
    private readonly write: (text: string) => void,
    readonly style: ProgressStyle,
    private readonly now: () => number = Date.now,
  ) {}

  private stamp(): string {
    return new Date(this.now()).toISOString().slice(11, 19);
  }

  private statusLine(): string {
    if (!this.live) return '';
    const seconds = ((this.now() - this.live.started) / 1000).toFixed(1);
    return `${SPINNER[this.live.frame % SPINNER.length]} lvslab: ${this.live.label}  ${seconds} s`;
  }

  /** A line that stays: a fact, a decision, a result. */
  note(line: string): void {
    if (this.style === 'plain') this.write(`${this.stamp()} lvslab: ${line}\n`);
    else this.write(`${this.live ? CLEAR_LINE : ''}lvslab: ${line}\n${this.statusLine()}`);
  }

  /** Runs work as a task: live, a ticking line; plain, a start line and an end line with the time it took. */
  async task<T>(label: string, work: () => Promise<T>): Promise<T> {
    if (this.live) return work(); // one live line at a time: a nested task is part of its parent
    const started = this.now();
    const elapsed = () => `${((this.now() - started) / 1000).toFixed(1)} s`;
    if (this.style === 'plain') this.write(`${this.stamp()} lvslab: ${label} ...\n`);
    else {
      const timer = setInterval(() => {
        this.live!.frame++;
        this.write(`${CLEAR_LINE}${this.statusLine()}`);
      }, 250);
      timer.unref();
      this.live = { label, started, frame: 0, timer };
      this.write(this.statusLine());
    }
    const finish = (outcome: string) => {
      if (this.live) {
        clearInterval(this.live.timer);
        this.live = undefined;
        this.write(`${CLEAR_LINE}lvslab: ${label}: ${outcome} (${elapsed()})\n`);
      } else this.write(`${this.stamp()} lvslab: ${label}: ${outcome} in ${elapsed()}\n`);
    };
    try {
      const value = await work();
      finish('done');
      return value;
    } catch (error) {
      finish('failed');
      throw error;
    }
  }
}

/** The CLI's progress, on stderr (stdout stays for results: tables, TAP, JSON). */
export const progress = new Progress((text) => process.stderr.write(text), progressStyle(process.env, process.stderr.isTTY === true));
