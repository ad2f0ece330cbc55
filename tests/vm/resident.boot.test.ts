/**
 * The resident guest booted for real: `lvslab vm --serve SOCKET` and lvslab processes on the host that
 * reach it through LVSLAB_GUEST. Slow: run by the suite's "microvm" stage.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { splitByNamespace } from '../../src/apply/all-namespaces.js';
import { connectGuest } from '../../src/guest/guest-link.js';
import { GuestHost, GuestRunner } from '../../src/guest/guest-machine.js';
import { CLI_ENTRY, PACKAGE_ROOT } from '../../src/model/package-root.js';
import { TOPOLOGIES } from '../helpers/paths.js';
import { startResidentGuest } from '../helpers/resident-guest.js';

/** A resident guest (one vCPU). */
const serve = () => startResidentGuest(['--accel', 'tcg', '--cpus', '1']);

const cli = (socket: string, ...args: string[]) =>
  execa(process.execPath, [CLI_ENTRY, ...args], { cwd: PACKAGE_ROOT, reject: false, env: { LVSLAB_GUEST: socket }, timeout: 300_000 });

test.serial('commands run as root in the guest with its IPVS kernel; statuses and streams come back apart; a lab lives across lvslab processes', async (t) => {
  const guest = await serve();
  t.teardown(() => guest.stop());
  const link = connectGuest(guest.socket);
  const runner = new GuestRunner(link);
  t.deepEqual(await runner.run(['sh', '-c', 'id -u; modprobe ip_vs && head -1 /proc/net/ip_vs; echo to-err >&2; exit 7']), {
    exitCode: 7,
    stdout: '0\nIP Virtual Server version 1.2.1 (size=4096)\n',
    stderr: 'to-err\n',
  });
  // The files the lab's programs start from were copied into the overlay's tmpfs (hot-files.ts): they lie on the device
  // of a file made in the guest, not on the 9p root's (where the checkout stays).
  const devices = await runner.run([
    'sh',
    '-c',
    `touch /etc/lvslab-made-here; for f in /etc/lvslab-made-here $(readlink -f /usr/sbin/ip) \
    /etc/ld.so.cache /lib $(ldd /usr/sbin/ip | awk '/libc.so/ {print $3}') ${join(PACKAGE_ROOT, 'package.json')}; do stat -c %d "$f"; done`,
  ]);
  const [made, ...others] = devices.stdout.trim().split('\n');
  t.deepEqual(others, [made, made, made, made, others[4]], devices.stderr);
  t.not(others[4], made, 'a file that is not copied stays on the 9p root');
  // A lab brought up by one lvslab process is there for the next ones: exec, and down.
  const up = await cli(guest.socket, 'up', join(TOPOLOGIES, 'dr.yaml'));
  t.is(up.exitCode, 0, up.stderr);
  t.regex(up.stderr, /building lab dr: done/);
  const curl = await cli(guest.socket, 'exec', 'dr', 'client', '--', 'curl', '-s', '--max-time', '5', 'http://10.10.0.100/');
  t.regex(curl.stdout, /^node=rs[12] peer=198\.51\.100\.10:\d+ local=10\.10\.0\.100:80$/m);
  t.is((await cli(guest.socket, 'down', 'dr')).exitCode, 0);
  t.deepEqual(await new GuestHost(link).listNamespaces(), []);
  // Seconds after boot, the guest still keeps time by its TSC (the kernel's watchdog has had its turns to give it up).
  t.is((await runner.run(['cat', '/sys/devices/system/clocksource/clocksource0/current_clocksource'])).stdout, 'tsc\n');
  link.close();
  guest.broker.kill('SIGTERM');
  await guest.broker;
  t.false(existsSync(guest.socket), 'the socket goes with the guest');
});

test.serial('two resident guests at once share nothing', async (t) => {
  const [one, two] = await Promise.all([serve(), serve()]);
  t.teardown(() => Promise.all([one.stop(), two.stop()]).then(() => undefined));
  const [a, b] = [connectGuest(one.socket), connectGuest(two.socket)];
  await new GuestRunner(a).run(['ip', 'netns', 'add', 'lvslab-only-in-one']);
  await new GuestRunner(a).run(['sh', '-c', 'echo one > /run/lvslab-mark']);
  t.deepEqual(await new GuestHost(a).listNamespaces(), ['lvslab-only-in-one']);
  t.deepEqual(await new GuestHost(b).listNamespaces(), []);
  t.is((await new GuestRunner(b).run(['cat', '/run/lvslab-mark'])).exitCode, 1);
  [a, b].forEach((l) => l.close());
});

test.serial(
  'iproute2 answers as the fake machine assumes: ip -all netns exec stops part-way (status 1) only when a child is killed; ip -n of a gone namespace: 255',
  async (t) => {
    const guest = await serve();
    t.teardown(() => guest.stop());
    const link = connectGuest(guest.socket);
    const runner = new GuestRunner(link);
    for (const ns of ['lvslab-a', 'lvslab-b']) await runner.run(['ip', 'netns', 'add', ns]);
    // A command that fails in each namespace: every namespace still listed, status 0 (what readAllNamespaces takes as whole).
    const failing = await runner.run(['ip', '-all', 'netns', 'exec', 'false']);
    t.is(failing.exitCode, 0);
    t.deepEqual([...splitByNamespace(failing.stdout).keys()].sort(), ['lvslab-a', 'lvslab-b']);
    // A child killed (as another lab's down kills what runs in its namespaces): the rest skipped, status 1.
    const killed = await runner.run(['ip', '-all', 'netns', 'exec', 'sh', '-c', 'kill -9 $$']);
    t.is(killed.exitCode, 1);
    t.is(splitByNamespace(killed.stdout).size, 1, 'the namespace after the killed child is not listed');
    // One namespace's read (loAliases for one lab): status 0 for a namespace there, 255 for one gone.
    t.is((await runner.run(['ip', '-n', 'lvslab-a', '-o', 'link', 'show', 'dev', 'lo'])).exitCode, 0);
    const gone = await runner.run(['ip', '-n', 'lvslab-gone', '-o', 'link', 'show', 'dev', 'lo']);
    t.is(gone.exitCode, 255);
    t.regex(gone.stderr, /Cannot open network namespace "lvslab-gone": No such file or directory/);
    link.close();
  },
);

test.serial('a guest that dies under a running lvslab: it exits 125 and says the microVM stopped; the broker says so too', async (t) => {
  const guest = await serve();
  t.teardown(() => guest.stop());
  const missing = cli(guest.socket, 'exec', 'nolab', 'nonode', '--', 'true');
  t.is((await missing).exitCode, 1, 'a lab that is not there is an ordinary failure');
  const waiting = execa(process.execPath, ['-e', `${GUEST_WAIT}`], { cwd: PACKAGE_ROOT, reject: false, env: { LVSLAB_GUEST: guest.socket } });
  await new Promise((r) => setTimeout(r, 3000));
  const qemu = (await execa('pgrep', ['-P', String(guest.broker.pid), 'qemu-system'], { reject: false })).stdout.trim();
  t.regex(qemu, /^\d+$/, 'the broker runs qemu');
  process.kill(Number(qemu), 'SIGKILL');
  const result = await waiting;
  t.is(result.exitCode, 125, result.stderr);
  t.regex(result.stderr, /the resident microVM at .*guest\.sock stopped/);
  const broker = await guest.broker;
  t.is(broker.exitCode, 125, guest.said());
});

/** A host process waiting on a command in the guest, exiting as lvslab's CLI does on a VmError. */
const GUEST_WAIT = `
import('${join(PACKAGE_ROOT, 'dist/src/session/lab-machine.js')}').then(async ({ machineLifecycle }) => {
  try { await machineLifecycle().runner.run(['sleep', '60']); process.exit(0); }
  catch (error) { process.stderr.write(error.message + '\\n'); process.exit(error.name === 'VmError' ? 125 : 1); }
});`;

test.serial(
  "--runner vm: a guest of the verb's own, lvslab on the host: lvslab test builds, verifies and takes down a lab, and the guest powers off",
  async (t) => {
    const verb = execa(process.execPath, [CLI_ENTRY, 'test', '--runner', 'vm', '--accel', 'tcg', '--cpus', '1', join(TOPOLOGIES, 'nat.yaml')], {
      cwd: PACKAGE_ROOT,
      reject: false,
      timeout: 300_000,
    });
    const run = await verb;
    t.is(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
    t.regex(run.stdout, /^ {2}✔ nat: tcp 10\.10\.0\.100:80 answers client2 through the VIP$/m);
    t.regex(run.stdout, /^ {2}✔ nat: down leaves namespaces, links and modules exactly as before$/m);
    t.regex(run.stdout, /^\d+ passed, 0 failed$/m);
    // The guest's agent ran the commands; the verb itself ran here.
    t.regex(run.stderr, /the microVM is up: lvslab runs on this host, the labs' commands run in the guest/);
    t.is((await execa('pgrep', ['-f', `runs/${verb.pid}-`], { reject: false })).stdout, '', 'no qemu of it left running');
  },
);
