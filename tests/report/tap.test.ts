import test from 'ava';
import { TapWriter } from '../../src/report/tap.js';
import { closingLine, collectTap, formatAssert } from '../../src/report/tap-summary.js';

test('what TapWriter writes, tap-parser reads back with counts and diagnostics', async (t) => {
  let text = '';
  const tap = new TapWriter((s) => (text += s));
  tap.comment('lab dr');
  tap.point({ ok: true, name: 'dr: up builds the lab' });
  tap.point({ ok: false, name: 'dr: every real server serves # really', diagnostic: { where: 'rs2', expected: 'rs1, rs2', observed: 'rs1: 4' } });
  tap.end();
  const lines: string[] = [];
  const { parser, done } = collectTap((r) => lines.push(formatAssert(r)));
  parser.end(text);
  const results = await done;
  t.is(results.pass, 1);
  t.is(results.fail, 1);
  t.false(results.ok);
  t.is(lines[1], '  ✘ dr: every real server serves # really\n      where: rs2\n      expected: rs1, rs2\n      observed: rs1: 4');
  t.is(closingLine(results.pass, results.fail), '1 passed, 1 failed');
});

test('TAP that stops before its plan is not ok', async (t) => {
  const { parser, done } = collectTap();
  parser.end('TAP version 13\nok 1 - one\n');
  t.false((await done).ok);
});

test('skipped and todo points are counted apart, never as passes', async (t) => {
  const { parser, done, tally } = collectTap();
  parser.end('TAP version 13\nok 1 - works\nok 2 - later # SKIP not here\nnot ok 3 - someday # TODO\nnot ok 4 - broken\n1..4\n');
  await done;
  t.deepEqual(tally, { passed: 1, failed: 1, skipped: 2 });
  t.is(closingLine(tally.passed, tally.failed, tally.skipped), '1 passed, 1 failed, 2 skipped');
});
