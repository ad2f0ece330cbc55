/**
 * The resident guest's channel, without a VM: the agent runs here on standard input and output, and
 * the host's link (and the broker between many clients and one agent) talks to it as it would to the
 * guest. What only a booted guest shows (the serial port, a guest that dies) is in tests/vm/resident.boot.test.ts.
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuestLink, connectGuest, socketWire } from '../../src/guest/guest-link.js';
import type { GuestRequest } from '../../src/guest/protocol.js';
import { GuestHost, GuestRunner } from '../../src/guest/guest-machine.js';
import { createBroker } from '../../src/guest/serve.js';
import { AGENT_SCRIPT } from '../../src/model/package-root.js';
import { VmError } from '../../src/vm/vm-error.js';

function agent(env: Record<string, string | undefined> = {}): ChildProcess {
  const child = spawn('perl', [AGENT_SCRIPT], { env: { ...process.env, LVSLAB_CHANNEL: '-', ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.on('error', () => undefined); // written to after a test killed it
  return child;
}

function linked(env: Record<string, string | undefined> = {}): { link: GuestLink; child: ChildProcess } {
  const child = agent(env);
  return { child, link: new GuestLink({ input: child.stdout!, output: child.stdin! }, 'a test agent') };
}

test('a command: its exit status, stdout and stderr apart, its input', async (t) => {
  const { link, child } = linked();
  const runner = new GuestRunner(link);
  const result = await runner.run(['sh', '-c', 'cat; echo to-err >&2; exit 3'], { input: 'fed\n' });
  t.deepEqual(result, { exitCode: 3, stdout: 'fed\n', stderr: 'to-err\n' });
  t.is((await runner.run(['/nonexistent/program'])).exitCode, 127);
  t.is(runner.spawned, 2);
  child.kill();
});

test('a program is looked up in PATH once, the first match as exec would find it; one not found is looked up again', async (t) => {
  const [early, late] = [mkdtempSync(join(tmpdir(), 'lvslab-path-')), mkdtempSync(join(tmpdir(), 'lvslab-path-'))];
  t.teardown(() => [early, late].forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const program = (dir: string, name: string, says: string) => writeFileSync(join(dir, name), `#!/bin/sh\necho ${says}\n`, { mode: 0o755 });
  program(late, 'lvslab-which', 'late');
  const { link, child } = linked({ PATH: `${early}:${late}:/usr/bin:/bin` });
  const runner = new GuestRunner(link);
  t.is((await runner.run(['lvslab-which'])).stdout, 'late\n');
  // Each exec by name walked PATH's directories again (six failed lookups through a microVM's 9p root before each `ip`).
  program(early, 'lvslab-which', 'early');
  t.is((await runner.run(['lvslab-which'])).stdout, 'late\n', 'found once, kept');
  t.regex((await runner.run(['lvslab-missing'])).stderr, /^spawn lvslab-missing ENOENT/);
  program(early, 'lvslab-missing', 'installed since');
  t.is((await runner.run(['lvslab-missing'])).stdout, 'installed since\n');
  child.kill();
});

test("the commands run in the C locale and the caller's time zone by name, whatever the caller's environment", async (t) => {
  const { link, child } = linked({ LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', LC_TIME: 'C.UTF-8', LANGUAGE: 'en', TZ: undefined });
  const runner = new GuestRunner(link);
  // A UTF-8 locale made every program open a dozen locale files, and no TZ made glibc stat /etc/localtime per timestamp.
  t.is((await runner.run(['sh', '-c', 'env | grep -E "^(LANG|LANGUAGE|LC_[A-Z]+|TZ)=" | sort'])).stdout, 'TZ=:/etc/localtime\n');
  child.kill();
  const { link: zoned, child: other } = linked({ TZ: 'Europe/Paris' });
  t.is((await new GuestRunner(zoned).run(['sh', '-c', 'echo $TZ'])).stdout, 'Europe/Paris\n');
  other.kill();
});

test('a line that is not a request (not JSON, no id, an unknown op) is refused or passed over; the agent answers on', async (t) => {
  const { link, child } = linked();
  const runner = new GuestRunner(link);
  child.stdin!.write('not json at all\n{"op":"run","argv":["true"]}\n[1,2]\n{"id":"x","op":"run","argv":["true"\n');
  await t.throwsAsync(link.ask({ op: 'no-such-op' } as unknown as GuestRequest), { message: 'no such request: no-such-op' });
  t.deepEqual(await runner.run(['echo', 'on']), { exitCode: 0, stdout: 'on\n', stderr: '' });
  child.kill();
});

test('a hung command ends at its timeout, and the agent answers others meanwhile', async (t) => {
  const { link, child } = linked();
  const runner = new GuestRunner(link);
  const hung = runner.run(['sleep', '30'], { timeout: 500 });
  t.is((await runner.run(['echo', 'meanwhile'])).stdout, 'meanwhile\n');
  const result = await hung;
  t.is(result.exitCode, 127);
  t.regex(result.stderr, /timed out after 500 milliseconds: sleep 30/);
  child.kill();
});

test('a daemon starts in the background; one that dies at start-up is an error with its words', async (t) => {
  const { link, child } = linked();
  const runner = new GuestRunner(link);
  const host = new GuestHost(link);
  const { pid } = await runner.start(['sleep', '30']);
  t.is(await host.programOf(pid), 'sleep');
  t.true((await host.programs()).includes('sleep'));
  await host.kill(pid);
  // Waiting for a ready line, as the lab's services are started: without one, a start counts once the daemon has lived
  // through a 300 ms grace period, which a loaded CI machine's fork and exec of sh alone outlasted (CI run 94).
  await t.throwsAsync(runner.start(['sh', '-c', 'echo cannot bind >&2; exit 1'], { ready: 'serving' }), {
    message: /exited at start-up with status 1: cannot bind/,
  });
  child.kill();
});

test('a capture runs until stopped and returns what it printed', async (t) => {
  const { link, child } = linked();
  const runner = new GuestRunner(link);
  // The packet is written before the "listening" line: a stop that follows that line at once must still find it.
  const capture = await runner.capture(['sh', '-c', 'echo packet one; echo listening on lo >&2; exec sleep 30']);
  t.is(await capture.stop(), 'packet one\n');
  child.kill();
});

test('commands whose timeouts fall due at one moment (the agent was busy meanwhile) each end with their own message', async (t) => {
  const { link, child } = linked();
  const runner = new GuestRunner(link);
  const timed = [1, 2, 3].map((i) => runner.run(['sleep', `3${i}`], { timeout: 100 }));
  // Listing all of /usr keeps the agent from its timers for longer than that: they are all due when it comes back.
  t.true((await new GuestHost(link).filesUnder('/usr')).length > 1000);
  t.deepEqual(
    await Promise.all(timed),
    [1, 2, 3].map((i) => ({ exitCode: 127, stdout: '', stderr: `Command timed out after 100 milliseconds: sleep 3${i}` })),
  );
  t.is((await runner.run(['echo', 'still here'])).stdout, 'still here\n');
  child.kill();
});

test("the host view's questions are answered by the agent; whether lvslab's own process lives is asked here", async (t) => {
  const { link, child } = linked();
  const host = new GuestHost(link);
  t.true(Array.isArray(await host.listNamespaces()));
  t.deepEqual(await host.pidsIn(['lvslab-no-such-namespace']), []);
  t.is(await host.programOf(2 ** 22 + 1), undefined);
  // One question for many modules: one loaded here (any of /sys/module) comes back, one that is not does not.
  const present = readdirSync('/sys/module')[0];
  t.deepEqual(await host.modulesLoaded(['lvslab_no_such_module', present]), [present]);
  t.deepEqual(await host.filesUnder('/nonexistent/lvslab'), []);
  t.true(host.alive(process.pid));
  t.true(host.isRoot());
  child.kill();
});

test('an agent that dies mid-command fails what waits with a VmError (exit 125), and every later request too', async (t) => {
  const { link, child } = linked();
  const runner = new GuestRunner(link);
  const waiting = runner.run(['sleep', '30']);
  setTimeout(() => child.kill('SIGKILL'), 300);
  await t.throwsAsync(waiting, { instanceOf: VmError, message: /the resident microVM at a test agent stopped/ });
  await t.throwsAsync(runner.run(['true']), { instanceOf: VmError });
});

test('the broker: two clients of one agent get their own answers; a client that leaves has its captures stopped', async (t) => {
  const child = agent();
  const socket = join(mkdtempSync(join(tmpdir(), 'lvslab-broker-')), 'guest.sock');
  const ready = new Promise<void>((resolve) => {
    const broker = createBroker(
      (line) => child.stdin!.write(line),
      () => broker.server.listen(socket, resolve),
    );
    child.stdout!.on('data', broker.receive);
    t.teardown(() => broker.stop());
  });
  await ready;
  const [one, two] = [new GuestRunner(connectGuest(socket)), new GuestRunner(connectGuest(socket))];
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).run(['echo', String(i)])));
  t.deepEqual(
    answers.map((a) => a.stdout),
    Array.from({ length: 20 }, (_, i) => `${i}\n`),
  );
  // A client that goes away mid-capture: the broker tells the agent, which stops it.
  const leaving = connect(socket);
  const leaver = new GuestRunner(new GuestLink(socketWire(leaving), socket));
  await leaver.capture(['sh', '-c', 'echo listening on lo >&2; exec sleep 300.4242']);
  const running = async () => (await one.run(['pgrep', '-f', 'sleep 300.4242'])).exitCode === 0;
  t.true(await running());
  leaving.destroy();
  const deadline = Date.now() + 5000;
  while ((await running()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.false(await running(), 'the capture ended with its client');
  child.kill();
});
