/**
 * At most `count` microVMs of one test file booting at once. ava runs a file's tests concurrently; a dozen
 * emulated guests on two cores made each boot crawl (a busy CI host then met its time limits).
 */
export function bootSlots(count: number): <T>(work: () => Promise<T>) => Promise<T> {
  let free = count;
  const waiting: Array<() => void> = [];
  return async (work) => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      // A slot passes straight to the next waiter, or goes back to the pool.
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/**
 * The vCPUs of a test's one-shot guest: one. On a loaded host a guest of two under emulation spins on whichever vCPU
 * the host has not scheduled (a lock's holder, a TLB shootdown's answer): measured beside three busy loops, a boot cost
 * 4-5 core-s with two vCPUs and 2.5 with one (on a quiet host, the same). microvm.boot's plain boot keeps the default.
 */
export const ONE_VCPU = ['--cpus', '1'] as const;
