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

/** Live progress on a terminal this many columns wide, and what it wrote so far. */
function onTerminal(now: () => number, columns: number) {
  let out = '';
  return {
    p: new Progress(
      (s) => (out += s),
      'live',
      now,
      () => columns,
    ),
    written: () => out,
  };
}

test('live progress: tasks at once share the status line, each outcome on a line of its own; a task inside another shows nothing', async (t) => {
  let clock = 0;
  const { p, written } = onTerminal(() => clock, 60);
  let endPair: () => void = () => undefined;
  const pair = p.task('dr-pair: failover', () => new Promise<void>((resolve) => (endPair = resolve)));
  await p.task('nat: building', async () => {
    clock += 2000;
    await p.task('nested: never shown', async () => undefined);
  });
  clock += 1000;
  endPair();
  await pair;
  const out = written();
  t.is(
    out,
    [
      '| lvslab: dr-pair: failover  0.0 s',
      '\r\u001b[K| lvslab: dr-pair: failover  0.0 s; nat: building  0.0 s',
      '\r\u001b[Klvslab: nat: building: done (2.0 s)\n| lvslab: dr-pair: failover  2.0 s',
      '\r\u001b[Klvslab: dr-pair: failover: done (3.0 s)\n',
    ].join(''),
  );
  t.notRegex(out, /nested/);
});

test('live progress: a status line wider than the terminal is cut to one row', async (t) => {
  const { p, written } = onTerminal(() => 0, 20);
  await p.task('a label far longer than twenty columns', async () => undefined);
  const out = written();
  t.is(out.split('\r')[0], '| lvslab: a label …');
  t.true(out.split('\r')[0].length < 20);
});
