import test from 'ava';
import { bootSlots } from './boot-slots.js';

test('bootSlots: never more than its count at once, every work runs, a failure frees its slot', async (t) => {
  const slot = bootSlots(2);
  let running = 0;
  let most = 0;
  const work = (fail: boolean) => async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    if (fail) throw new Error('boom');
    return 'ok';
  };
  const results = await Promise.allSettled([true, false, false, true, false, false].map((fail) => slot(work(fail))));
  t.is(most, 2);
  t.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
  );
});
