import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRunner, type CommandRunner } from '../../src/apply/runner.js';
import { GuestLink } from '../../src/guest/guest-link.js';
import { GuestRunner } from '../../src/guest/guest-machine.js';
import { AGENT_SCRIPT } from '../../src/model/package-root.js';
import { readUntil } from '../../src/verify/read-until.js';

/** Node's own spawn, and the microVM's agent (Perl, here on its standard streams): the same statuses, streams and messages. */
const agent = spawn('perl', [AGENT_SCRIPT], { env: { ...process.env, LVSLAB_CHANNEL: '-' }, stdio: ['pipe', 'pipe', 'inherit'] });
test.after.always(() => agent.kill());
const runners: Array<[string, CommandRunner]> = [
  ['node', new ProcessRunner()],
  ['agent', new GuestRunner(new GuestLink({ input: agent.stdout, output: agent.stdin }, 'the test agent'))],
];
function each(title: string, check: (t: ExecutionContext, runner: CommandRunner) => Promise<void>): void {
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

each('a daemon that says when it is ready is started once it has said so, and keeps running', async (t, runner) => {
  const started = Date.now();
  const { pid } = await runner.start(['sh', '-c', 'sleep 0.4; echo starting; echo "svc ready"; sleep 30'], { ready: 'svc ready' });
  try {
    t.true(Date.now() - started >= 400, 'not before the line');
    t.notThrows(() => process.kill(pid, 0), 'still running');
  } finally {
    process.kill(pid, 'SIGKILL');
  }
});

each('a daemon that exits before it is ready fails with its status and stderr; one that never says so is stopped and fails', async (t, runner) => {
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

each('a daemon started with a log keeps its stdout and stderr there, in a folder made for it', async (t, runner) => {
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

each("`ip netns exec` of a namespace that does not exist: iproute2's status and words (the agent enters namespaces itself)", async (t, runner) => {
  t.deepEqual(await runner.run(['ip', 'netns', 'exec', 'lvslab-no-such-namespace', 'true']), {
    exitCode: 255,
    stdout: '',
    stderr: 'Cannot open network namespace "lvslab-no-such-namespace": No such file or directory\n',
  });
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

each('a capture is stopped once it has printed what it caught: tcpdump, interrupted, drops what it has not printed yet', async (t, runner) => {
  // Like tcpdump lagging the traffic: it goes on printing for a second after the traffic, and dies at once on SIGINT.
  const script = 'echo "listening on eth0" >&2; for i in 1 2 3 4 5 6 7 8 9 10; do echo frame $i; sleep 0.1; done; exec sleep 30';
  const capture = await runner.capture(['sh', '-c', script]);
  const started = Date.now();
  const printed = await capture.stop();
  t.is(printed.split('\n').filter(Boolean).length, 10, printed);
  t.true(Date.now() - started < 5000, 'a quiet capture is stopped without waiting out the limit');
});
