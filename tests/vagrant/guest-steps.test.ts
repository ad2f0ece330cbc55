import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestStepsScript, parseGuestSteps, provisionerScript, STEP_MARKER, type GuestStep } from '../../src/vagrant/guest-steps.js';

const steps: GuestStep[] = [
  { name: 'first', title: 'says hello', script: ['echo hello', 'echo to stderr >&2'] },
  { name: 'second', title: 'fails half-way', script: ['echo before', 'false', 'echo never'] },
  { name: 'third', title: 'never reached', script: ['echo third'] },
];

test('the guest script runs the steps in order, frames each with markers and stops at the first failure', async (t) => {
  const run = await execa('bash', ['-c', guestStepsScript(steps)], { reject: false });
  t.is(run.exitCode, 1);
  const results = parseGuestSteps(steps, run.stdout);
  t.deepEqual(
    results.map((r) => [r.name, r.status, r.exitCode]),
    [
      ['first', 'passed', 0],
      ['second', 'failed', 1],
      ['third', 'not run', undefined],
    ],
  );
  // stderr joins stdout in order; `set -e` stops a step at its first failing line.
  t.is(results[0].output, 'hello\nto stderr\n');
  t.is(results[1].output, 'before\n');
  t.true(results.every((r) => r.status === 'not run' || (r.seconds !== undefined && r.seconds >= 0)));
});

test('every step passing exits 0', async (t) => {
  const run = await execa('bash', ['-c', guestStepsScript(steps.slice(0, 1))], { reject: false });
  t.is(run.exitCode, 0);
  t.is(parseGuestSteps(steps.slice(0, 1), run.stdout)[0].status, 'passed');
});

test('a step the guest died in (begun, never ended) failed without a status; the ones after it did not run', (t) => {
  const output = `${STEP_MARKER} begin first\nhello\n${STEP_MARKER} end first 0 1200\n${STEP_MARKER} begin second\nhalf a line`;
  const results = parseGuestSteps(steps, output);
  t.deepEqual(
    results.map((r) => [r.status, r.exitCode, r.seconds]),
    [
      ['passed', 0, 1.2],
      ['failed', undefined, undefined],
      ['not run', undefined, undefined],
    ],
  );
  t.is(results[1].output, 'half a line\n');
});

test('marker-like lines for unknown steps are output, not markers; carriage returns of a serial line are tolerated', (t) => {
  const output = `${STEP_MARKER} begin first\r\n${STEP_MARKER} begin other\n${STEP_MARKER} end first 0 5\r\n`;
  const [first] = parseGuestSteps(steps, output);
  t.is(first.status, 'passed');
  t.is(first.output, `${STEP_MARKER} begin other\n`);
});

test("the provisioning line runs as Vagrant's shell provisioner runs it: a file, a login bash", async (t) => {
  const lines = provisionerScript(`echo "it's $((1 + 2))"`);
  t.is(lines.at(-1), 'bash -l /tmp/vagrant-shell');
  const file = join(mkdtempSync(join(tmpdir(), 'lvslab-shell-')), 'vagrant-shell');
  await execa('bash', ['-c', lines[0].replace('/tmp/vagrant-shell', file)]);
  t.is(readFileSync(file, 'utf8'), `echo "it's $((1 + 2))"\n`);
  t.is((await execa('bash', [file])).stdout, "it's 3");
});
