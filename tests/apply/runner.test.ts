import test, { type ExecutionContext } from 'ava';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enterByBusybox, locateProgram, ProcessRunner, startProcess } from '../../src/apply/runner.js';
import { parseAnswer, requestLine, Spawner } from '../../src/apply/spawner.js';
import { SPAWNER_SCRIPT } from '../../src/model/package-root.js';
import { readUntil } from '../../src/verify/read-until.js';

/** Node's own spawn, and the resident Perl spawner the microVM's agent uses: the same statuses, streams and messages. */
const spawner = new Spawner((dir) => startProcess(['perl', SPAWNER_SCRIPT, dir], ['pipe', 'pipe', 'inherit']));
test.after.always(() => spawner.close());
const runners: Array<[string, ProcessRunner]> = [
  ['node', new ProcessRunner()],
  ['spawner', new ProcessRunner({ spawner })],
];
const runner = runners[0][1];
function each(title: string, check: (t: ExecutionContext, runner: ProcessRunner) => Promise<void>): void {
  for (const [name, r] of runners) test(`${title} (${name})`, (t) => check(t, r));
}

each("a command's exit status, stdout and stderr come back apart, with trailing newlines kept", async (t, runner) => {
  const result = await runner.run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
  t.deepEqual(result, { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
});

each('input is fed on stdin; a command that does not read it still ends normally', async (t, runner) => {
  t.is((await runner.run(['cat'], { input: 'line 1\nline 2\n' })).stdout, 'line 1\nline 2\n');
  const ignoring = await runner.run(['true'], { input: 'x'.repeat(4 * 1024 * 1024) });
  t.is(ignoring.exitCode, 0);
});

each('the working directory is honoured', async (t, runner) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvslab-runner-'));
  t.is((await runner.run(['pwd'], { cwd: dir })).stdout, `${dir}\n`);
});

each('a program that does not exist has status 127 and says why', async (t, runner) => {
  const result = await runner.run(['lvslab-no-such-program', '-x']);
  t.is(result.exitCode, 127);
  t.regex(result.stderr, /ENOENT/);
});

each('a command past its timeout is stopped: status 127 and the reason on stderr, after what it wrote', async (t, runner) => {
  const started = Date.now();
  const result = await runner.run(['sh', '-c', 'echo started >&2; exec sleep 30'], { timeout: 300 });
  t.true(Date.now() - started < 10_000);
  t.is(result.exitCode, 127);
  t.is(result.stderr, 'started\nCommand timed out after 300 milliseconds: sh -c echo started >&2; exec sleep 30');
});

each('a command killed by a signal says which', async (t, runner) => {
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
    // The daemon writes as it runs: on a busy machine its second line may come after its start counted (CI run 72).
    const lines = () => Promise.resolve(readFileSync(log, 'utf8').split('\n').filter(Boolean).sort());
    const read = await readUntil(lines, (seen) => seen.length >= 2, Date.now(), Date.now() + 10_000);
    t.deepEqual(read.last, ['to-stderr', 'to-stdout']);
  } finally {
    process.kill(pid, 'SIGKILL');
  }
});

test("under busybox, `ip netns exec NS cmd` becomes busybox's nsenter into /run/netns/NS running cmd by its path; anything else is left as it is", (t) => {
  const locate = (name: string) => (name.includes('/') ? name : name === 'missing' ? undefined : `/usr/bin/${name}`);
  t.deepEqual(enterByBusybox(['ip', 'netns', 'exec', 'nat-client', 'curl', '-s', 'http://10.10.0.100/'], locate), [
    ...['busybox', 'nsenter', '--net=/run/netns/nat-client'],
    ...['/usr/bin/curl', '-s', 'http://10.10.0.100/'],
  ]);
  t.deepEqual(enterByBusybox(['ip', 'netns', 'exec', 'nat-rs1', '/opt/x/tool'], locate), ['busybox', 'nsenter', '--net=/run/netns/nat-rs1', '/opt/x/tool']);
  for (const argv of [
    ['ip', '-all', 'netns', 'exec', 'ip', 'link'],
    ['ip', '-n', 'nat-client', 'link'],
    ['ip', 'netns', 'exec', 'nat-client'],
    ['ip', 'netns', 'exec', '../etc', 'true'],
    ['ip', 'netns', 'exec', 'nat-client', 'missing', '-x'],
    ['ipvsadm', '-S', '-n'],
  ])
    t.is(enterByBusybox(argv, locate), argv, argv.join(' '));
});

test('a program is located on the system PATH by its name, never as a busybox applet; a path is kept; a missing one is not found', (t) => {
  t.regex(locateProgram('sh') ?? '', /^\/(usr\/)?bin\/sh$/);
  t.is(locateProgram('./x/y'), './x/y');
  t.is(locateProgram('lvslab-no-such-program'), undefined);
});

each('commands run side by side come back each with its own status and streams', async (t, runner) => {
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) => runner.run(['sh', '-c', `sleep 0.$((${i} % 3)); echo out${i}; echo err${i} >&2; exit ${i}`])),
  );
  t.deepEqual(
    results,
    results.map((_, i) => ({ exitCode: i, stdout: `out${i}\n`, stderr: `err${i}\n` })),
  );
});

test('a spawner that is gone fails what it was running in words; the runner then spawns with Node', async (t) => {
  const dying = new Spawner((dir) => startProcess(['perl', SPAWNER_SCRIPT, dir], ['pipe', 'pipe', 'inherit']));
  const waiting = dying.run(['sleep', '30'], {}, () => 'no status');
  await new Promise((resolve) => setTimeout(resolve, 300));
  (dying as unknown as { child: { kill(s: string): void } }).child.kill('SIGKILL');
  await t.throwsAsync(waiting, { message: 'the spawner ended with SIGKILL' });
  // Through a runner, a command under way when the spawner goes ends with 127 and why; it is not started again.
  const again = new Spawner((dir) => startProcess(['perl', SPAWNER_SCRIPT, dir], ['pipe', 'pipe', 'inherit']));
  const marks = mkdtempSync(join(tmpdir(), 'lvslab-once-'));
  const cut = new ProcessRunner({ spawner: again }).run(['sh', '-c', `echo ran >> ${marks}/runs; sleep 30`]);
  await readUntil(
    () => Promise.resolve(existsSync(join(marks, 'runs'))),
    (ran) => ran,
    Date.now(),
    Date.now() + 10_000,
  );
  (again as unknown as { child: { kill(s: string): void } }).child.kill('SIGKILL');
  t.like(await cut, { exitCode: 127, stderr: `the spawner ended with SIGKILL: sh -c echo ran >> ${marks}/runs; sleep 30` });
  t.is(readFileSync(join(marks, 'runs'), 'utf8'), 'ran\n', 'started once');
  const runner = new ProcessRunner({ spawner: dying });
  t.deepEqual(await runner.run(['sh', '-c', 'echo still; exit 4']), { exitCode: 4, stdout: 'still\n', stderr: '' });
});

test("the spawner's answers: an exit status, or a signal by its name and whether the timeout sent it; nothing else", (t) => {
  t.deepEqual(parseAnswer('7\texit\t3'), { id: '7', ending: { exit: 3 } });
  t.deepEqual(parseAnswer('8\tsignal\t15\t1'), { id: '8', ending: { signal: 'SIGTERM', timedOut: true } });
  t.deepEqual(parseAnswer('9\tsignal\t9\t0'), { id: '9', ending: { signal: 'SIGKILL', timedOut: false } });
  for (const line of ['', '1\texit', '1\texit\tx', '1\tstopped\t3', 'spawner: not a request']) t.is(parseAnswer(line), undefined, line);
  t.is(requestLine('3', ['ip', 'a b'], { timeout: 500, cwd: '/tmp', input: '' }), `3\t500\t${Buffer.from('/tmp').toString('hex')}\t1\t6970\t612062\n`);
  t.is(requestLine('4', ['true'], {}), '4\t0\t-\t0\t74727565\n');
});

test('a capture is stopped once it has printed what it caught: tcpdump, interrupted, drops what it has not printed yet', async (t) => {
  // Like tcpdump lagging the traffic: it goes on printing for a second after the traffic, and dies at once on SIGINT.
  const script = 'echo "listening on eth0" >&2; for i in 1 2 3 4 5 6 7 8 9 10; do echo frame $i; sleep 0.1; done; exec sleep 30';
  const capture = await runner.capture(['sh', '-c', script]);
  const started = Date.now();
  const printed = await capture.stop();
  t.is(printed.split('\n').filter(Boolean).length, 10, printed);
  t.true(Date.now() - started < 5000, 'a quiet capture is stopped without waiting out the limit');
});
