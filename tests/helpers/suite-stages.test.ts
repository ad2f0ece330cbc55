import test from 'ava';
import { busyMs, nextJob } from './suite-stages.js';

test("busyMs: a stage's seconds are the time any of its jobs ran, overlaps counted once and gaps not at all", (t) => {
  t.is(busyMs([]), 0);
  t.is(busyMs([{ from: 10, to: 30 }]), 20);
  // Two lanes at once, then a gap of 50, then a job alone: 10..40 and 90..100.
  t.is(
    busyMs([
      { from: 90, to: 100 },
      { from: 20, to: 40 },
      { from: 10, to: 30 },
      { from: 12, to: 15 },
    ]),
    40,
  );
});

test('nextJob: a waiting job as soon as a waiting slot is free, else the first computing one; never an idle lane', (t) => {
  const [w, c] = [{ waits: true }, { waits: false }];
  t.is(nextJob([], 0, 2), undefined);
  t.is(nextJob([c, c, w], 1, 2), 2, 'a free waiting slot takes the waiting job ahead of longer computing ones');
  t.is(nextJob([w, w, c, w], 2, 2), 2, 'no free waiting slot: the first computing job');
  t.is(nextJob([c, w], 2, 2), 0);
  t.is(nextJob([w, w], 2, 2), 0, 'only waiting jobs left: the first is taken');
});
