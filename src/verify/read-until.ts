/** Reading a lab's state again and again until it shows what a check waits for (keepalived's table, a VIP's holder). */

export interface ReadOutcome<T> {
  /** When the read that showed it started and ended, in ms after t0; absent when the deadline passed first. */
  seen?: { startMs: number; endMs: number };
  /** What the last read returned. */
  last: T;
}

/**
 * How long between two reads. A read is a process or two on the lab machine; driven from the host (a
 * resident guest), 100 ms between reads kept a one-vCPU guest busy with reads alone, and the failover's
 * prober starved (measured: most probes unanswered even before the fault).
 */
const PAUSE_MS = 400;

export async function readUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, t0: number, deadline: number): Promise<ReadOutcome<T>> {
  for (;;) {
    const start = Date.now();
    const last = await read();
    if (done(last)) return { seen: { startMs: start - t0, endMs: Date.now() - t0 }, last };
    if (Date.now() >= deadline) return { last };
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
}
