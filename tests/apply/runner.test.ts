import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enterByBusybox, ProcessRunner } from '../../src/apply/runner.js';
import { readUntil } from '../../src/verify/read-until.js';

const runner = new ProcessRunner();

test("a command's exit status, stdout and stderr come back apart, with trailing newlines kept", async (t) => {
  const result = await runner.run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
  t.deepEqual(result, { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
});

test('input is fed on stdin; a command that does not read it still ends normally', async (t) => {
  t.is((await runner.run(['cat'], { input: 'line 1\nline 2\n' })).stdout, 'line 1\nline 2\n');
  const ignoring = await runner.run(['true'], { input: 'x'.repeat(4 * 1024 * 1024) });
  t.is(ignoring.exitCode, 0);
});

test('the working directory is honoured', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvslab-runner-'));
  t.is((await runner.run(['pwd'], { cwd: dir })).stdout, `${dir}\n`);
});

test('a program that does not exist has status 127 and says why', async (t) => {
  const result = await runner.run(['lvslab-no-such-program', '-x']);
  t.is(result.exitCode, 127);
  t.regex(result.stderr, /ENOENT/);
});

test('a command past its timeout is stopped: status 127 and the reason on stderr, after what it wrote', async (t) => {
  const started = Date.now();
  const result = await runner.run(['sh', '-c', 'echo started >&2; exec sleep 30'], { timeout: 300 });
  t.true(Date.now() - started < 10_000);
  t.is(result.exitCode, 127);
  t.is(result.stderr, 'started\nCommand timed out after 300 milliseconds: sh -c echo started >&2; exec sleep 30');
});

test('a command killed by a signal says which', async (t) => {
  const result = await runner.run(['sh', '-c', 'kill -KILL $$']);
  t.is(result.exitCode, 127);
  t.is(result.stderr, 'Command was killed with SIGKILL: sh -c kill -KILL $$');
});

test('every command counts as spawned', async (t) => {
  const counting = new ProcessRunner();
  await counting.run(['true']);
  await counting.run(['lvslab-no-such-program']);
  t.is(counting.spawned, 2);
});

test('a daemon that says when it is ready is started once it has said so, and keeps running', async (t) => {
  const started = Date.now();
  const { pid } = await runner.start(['sh', '-c', 'sleep 0.4; echo starting; echo "svc ready"; sleep 30'], { ready: 'svc ready' });
  try {
    t.true(Date.now() - started >= 400, 'not before the line');
    t.notThrows(() => process.kill(pid, 0), 'still running');
  } finally {
    process.kill(pid, 'SIGKILL');
  }
});

test('a daemon that exits before it is ready fails with its status and stderr; one that never says so is stopped and fails', async (t) => {
  await t.throwsAsync(runner.start(['sh', '-c', 'echo cannot bind >&2; exit 3'], { ready: 'svc ready' }), {
    message: /^exited at start-up with status 3: cannot bind$/,
  });
  const log = join(mkdtempSync(join(tmpdir(), 'lvslab-log-')), 'silent.log');
  const silent = runner.start(['sh', '-c', 'echo $$ > ' + log + '; exec sleep 30'], { ready: 'svc ready', readyWithinMs: 500 });
  await t.throwsAsync(silent, { message: /^was not ready: it did not say "svc ready" within 500 ms$/ });
  const pid = Number(readFileSync(log, 'utf8'));
  // Gone once killed and reaped: a busy machine may take more than a moment to do both (CI run 65 took over 200 ms).
  const alive = async () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const gone = await readUntil(alive, (living) => !living, Date.now(), Date.now() + 10_000);
  t.false(gone.last, 'the silent daemon was killed');
});

test('a daemon started with a log keeps its stdout and stderr there, in a folder made for it', async (t) => {
  const log = join(mkdtempSync(join(tmpdir(), 'lvslab-log-')), 'sub', 'daemon.log');
  const { pid } = await runner.start(['sh', '-c', 'echo to-stdout; echo to-stderr >&2; sleep 30'], { log });
  try {
    t.deepEqual(readFileSync(log, 'utf8').split('\n').filter(Boolean).sort(), ['to-stderr', 'to-stdout']);
  } finally {
    process.kill(pid, 'SIGKILL');
  }
});

test("under busybox, `ip netns exec NS cmd` becomes busybox's nsenter into /run/netns/NS; anything else is left as it is", (t) => {
  t.deepEqual(enterByBusybox(['ip', 'netns', 'exec', 'nat-client', 'curl', '-s', 'http://10.10.0.100/']), [
    ...['busybox', 'nsenter', '--net=/run/netns/nat-client'],
    ...['curl', '-s', 'http://10.10.0.100/'],
  ]);
  for (const argv of [
    ['ip', '-all', 'netns', 'exec', 'ip', 'link'],
    ['ip', '-n', 'nat-client', 'link'],
    ['ip', 'netns', 'exec', 'nat-client'],
    ['ip', 'netns', 'exec', '../etc', 'true'],
    ['ipvsadm', '-S', '-n'],
  ])
    t.is(enterByBusybox(argv), argv, argv.join(' '));
});
