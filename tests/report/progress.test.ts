import test from 'ava';
import { Progress, progressStyle } from '../../src/report/progress.js';

test('live on a terminal; plain in CI, when not a terminal, or when LVSLAB_PROGRESS says so', (t) => {
  t.is(progressStyle({}, true), 'live');
  t.is(progressStyle({}, false), 'plain');
  t.is(progressStyle({ CI: 'true' }, true), 'plain');
  t.is(progressStyle({ CI: 'false' }, true), 'live');
  t.is(progressStyle({ LVSLAB_PROGRESS: 'live' }, false), 'live');
  t.is(progressStyle({ LVSLAB_PROGRESS: 'plain', CI: '' }, true), 'plain');
});

test('plain progress: timestamped start and end lines with the time the task took', async (t) => {
  let clock = Date.UTC(2026, 10, 26, 17, 0, 0);
  let out = '';
  const p = new Progress(
    (s) => (out += s),
    'plain',
    () => clock,
  );
  p.note('booting');
  await p.task('building lab dr', async () => {
    clock += 4200;
  });
  await t.throwsAsync(
    p.task('verifying lab dr', async () => {
      clock += 1000;
      throw new Error('boom');
    }),
  );
  t.is(
    out,
    [
      '17:00:00 lvslab: booting',
      '17:00:00 lvslab: building lab dr ...',
      '17:00:04 lvslab: building lab dr: done in 4.2 s',
      '17:00:04 lvslab: verifying lab dr ...',
      '17:00:05 lvslab: verifying lab dr: failed in 1.0 s',
      '',
    ].join('\n'),
  );
});

test('live progress: one line rewritten in place, a note above it, the outcome replacing it; no control codes after', async (t) => {
  let clock = 0;
  let out = '';
  const p = new Progress(
    (s) => (out += s),
    'live',
    () => clock,
  );
  await p.task('building lab dr', async () => {
    clock += 1500;
    p.note('a fact');
  });
  t.is(
    out,
    [
      '| lvslab: building lab dr  0.0 s',
      '\r\u001b[Klvslab: a fact\n| lvslab: building lab dr  1.5 s',
      '\r\u001b[Klvslab: building lab dr: done (1.5 s)\n',
    ].join(''),
  );
  out = '';
  p.note('after');
  t.is(out, 'lvslab: after\n');
});
