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
