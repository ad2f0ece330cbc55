/**
 * The microVM runner itself, booted for real (qemu, the cached Debian kernel). Slow: run by the
 * suite's "microvm" stage, not with the unit tests.
 */
import test from 'ava';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI_ENTRY, PACKAGE_ROOT } from '../../src/model/package-root.js';
import { runInVm, vmRequest, type VmRequest } from '../../src/vm/launch.js';
import { bootSlots, ONE_VCPU } from '../helpers/boot-slots.js';

const slot = bootSlots(3);

/** `lvslab vm` under emulation with these vCPU options, from this checkout unless `where` names another directory. */
const vmWith =
  (cpus: readonly string[]) =>
  (args: string[], env: NodeJS.ProcessEnv = {}, where: { cwd?: string; extendEnv?: boolean } = {}) =>
    execa(process.execPath, [CLI_ENTRY, 'vm', '--accel', 'tcg', ...cpus, ...args], { cwd: PACKAGE_ROOT, reject: false, env, timeout: 240_000, ...where });
const vmNow = vmWith(ONE_VCPU);
const vm = (args: string[], env: NodeJS.ProcessEnv = {}) => slot(() => vmNow(args, env));

/**
 * One boot shared by the tests that each read a part of what a plain guest shows (a boot is 3-7 core-s under
 * emulation, the stage's largest cost): who runs the command and where, the CPU, the machine's devices, each part
 * after a marker line; it ends with status 42.
 */
const PLAIN_SCRIPT = [
  'id -u; pwd; modprobe ip_vs && cat /proc/net/ip_vs | head -1; ip -V | cut -c1-20; cat /proc/sys/kernel/randomize_va_space; echo to-stderr >&2',
  // glibc's loader says which x86-64 levels the CPU supports; /proc/cpuinfo has the flags.
  'echo "== cpu"; grep -m1 "^flags" /proc/cpuinfo; /lib64/ld-linux-x86-64.so.2 --help | grep -E "^ +x86-64-v[234]"',
  'echo "== pci"; ls /sys/bus/pci/devices 2>/dev/null | wc -l',
  'echo "== vcpus"; nproc',
  'echo "== tick"; grep -c "nohz_mode *: 2" /proc/timer_list',
  'echo "== hardening"; cut -d";" -f1 /sys/devices/system/cpu/vulnerabilities/spectre_v2; dmesg | grep -o "heap alloc:o[nf]*"',
  'exit 42',
].join('; ');
let plainBoot: Promise<Awaited<ReturnType<typeof vmNow>>> | undefined;
// The only boot with lvslab's default vCPUs (two); the others have one (ONE_VCPU says why).
const plain = () => (plainBoot ??= slot(() => vmWith([])(['--', 'sh', '-c', PLAIN_SCRIPT])));
/** The lines of the plain boot's part after `== name` (the first part without a name), up to the next marker. */
const part = (stdout: string, name?: string) => {
  const parts = stdout.split(/^== /m);
  const found = name === undefined ? parts[0] : parts.find((p) => p.startsWith(`${name}\n`))?.slice(name.length + 1);
  return (found ?? '').replace(/\n$/, '').split('\n');
};

test('the command runs as root in the guest, in the same directory, with the real IPVS kernel; its stdout and stderr come back apart', async (t) => {
  const result = await plain();
  t.is(result.exitCode, 42, result.stderr);
  // The root's own tools (iproute2's ip), never the initramfs's busybox applets; no address-space randomization.
  t.deepEqual(part(result.stdout), ['0', PACKAGE_ROOT.replace(/\/$/, ''), 'IP Virtual Server version 1.2.1 (size=4096)', 'ip utility, iproute2', '0']);
  t.regex(result.stderr, /^to-stderr$/m);
  t.notRegex(result.stdout, /to-stderr/);
});

test('under emulation the guest runs on an x86-64-v2 CPU without AVX or byte-wise rep movsb; LVSLAB_VM_CPU=max gives them back', async (t) => {
  const cpu = part((await plain()).stdout, 'cpu').join('\n');
  t.regex(cpu, /x86-64-v2 \(supported, searched\)/);
  t.notRegex(cpu, /x86-64-v3 \(supported/);
  const flags = cpu.split('\n')[0].split(/\s+/);
  for (const costly of ['avx', 'avx2', 'erms', 'fsrm']) t.false(flags.includes(costly), `${costly} in ${cpu}`);
  const script = 'grep -m1 "^flags" /proc/cpuinfo; /lib64/ld-linux-x86-64.so.2 --help | grep -E "^ +x86-64-v[234]"';
  const max = await vm(['--', 'sh', '-c', script], { LVSLAB_VM_CPU: 'max' });
  t.is(max.exitCode, 0, max.stderr);
  t.regex(max.stdout, /x86-64-v3 \(supported, searched\)/);
  t.true(max.stdout.split('\n')[0].split(/\s+/).includes('erms'), max.stdout);
  const unknown = await vm(['--', 'true'], { LVSLAB_VM_CPU: 'host' });
  t.is(unknown.exitCode, 125);
  t.regex(unknown.stderr, /LVSLAB_VM_CPU=host is not a choice: x86-64-v2 .* or max/);
});

test('a guest has two vCPUs unless --cpus gives another count (the two-at-once guests have one)', async (t) => {
  t.deepEqual(part((await plain()).stdout, 'vcpus'), ['2']);
});

test('under emulation an idle vCPU has no tick (high-resolution timers, the tick stopped when idle): one line per vCPU', async (t) => {
  t.deepEqual(part((await plain()).stdout, 'tick'), ['2'], 'nohz_mode 2 (NOHZ_MODE_HIGHRES) on both vCPUs');
});

test('the guest runs without Spectre mitigations and without zeroing every kernel allocation (a throwaway guest)', async (t) => {
  t.deepEqual(part((await plain()).stdout, 'hardening'), ['Vulnerable', 'heap alloc:off']);
});

test('exit status 42 passes through', async (t) => {
  const result = await plain();
  t.is(result.exitCode, 42, result.stderr);
  t.true(result.stdout.length > 0, 'what the command printed before its exit comes back with it');
});

test('exit status 1 passes through, after megabytes of output', async (t) => {
  const result = await megabytes();
  t.is(result.exitCode, 1, result.stderr.slice(-500));
  t.is(result.stdout.length, 2_000_000);
});

test('a guest kernel panic is a failure with its own message, never a pass', async (t) => {
  const result = await vm(['--', 'sh', '-c', 'echo c > /proc/sysrq-trigger; sleep 30']);
  t.is(result.exitCode, 125);
  t.regex(result.stderr, /the guest kernel panicked: Kernel panic - not syncing: sysrq triggered crash/);
});

test('a hung guest is killed at the timeout with its own message', async (t) => {
  const result = await vm(['--timeout', '15', '--', 'sleep', '600']);
  t.is(result.exitCode, 125);
  t.regex(result.stderr, /the microVM timed out after 15 s and was killed/);
});

test('a working directory under the host /tmp is shared into the guest: readable, writable there, untouched on the host', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvslab-'));
  writeFileSync(join(dir, 'hello.txt'), 'hello from the host\n');
  const result = await slot(() => vmNow(['--', 'sh', '-c', 'cat hello.txt && echo guest > new.txt && cat new.txt && pwd'], {}, { cwd: dir }));
  t.is(result.exitCode, 0, result.stderr);
  t.is(result.stdout, `hello from the host\nguest\n${dir}`);
  t.false(existsSync(join(dir, 'new.txt')));
});

test('a working directory the guest cannot see is reported, not ignored', async (t) => {
  const dir = mkdtempSync('/dev/shm/lvslab-');
  const result = await slot(() => vmNow(['--', 'true'], {}, { cwd: dir }));
  rmSync(dir, { recursive: true });
  t.is(result.exitCode, 126);
  t.regex(result.stderr, /lvslab vm: \/dev\/shm\/lvslab-\w+ is not visible in the guest/);
});

test('a kernel that does not exist gives a clear message', async (t) => {
  const result = await vm(['--kernel', '/nonexistent/vmlinuz', '--', 'true']);
  t.is(result.exitCode, 125);
  t.is(result.stderr.trim(), 'kernel /nonexistent/vmlinuz does not exist');
});

test('a missing default kernel that cannot be fetched gives a clear message', async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'lvslab-cache-'));
  t.teardown(() => rmSync(cache, { recursive: true, force: true }));
  const result = await vm(['--', 'true'], { LVSLAB_CACHE: cache, PATH: '/nonexistent' });
  t.is(result.exitCode, 125);
  t.regex(result.stderr, /looking up linux-image-amd64 \(run apt-get update first\) failed/);
  t.regex(result.stderr, /on a machine without apt, pass --kernel PATH --modules DIR/);
});

test('the guest writes plain progress lines when the host stderr is not a terminal (no spinner frames in a log)', async (t) => {
  const env = { ...process.env };
  delete env.CI;
  delete env.LVSLAB_PROGRESS;
  const script = "import('./dist/src/report/progress.js').then((m) => m.progress.task('working in the guest', () => new Promise((r) => setTimeout(r, 700))))";
  const result = await slot(() => vmNow(['--', 'node', '-e', script], env, { extendEnv: false }));
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stderr, /^\d\d:\d\d:\d\d lvslab: working in the guest \.\.\.$/m);
  t.regex(result.stderr, /^\d\d:\d\d:\d\d lvslab: working in the guest: done in \d+\.\d s$/m);
  t.false(result.stderr.includes('\r') || result.stderr.includes('\u001b['), 'no carriage return, no escape sequence');
});

/** A root of its own (the Vagrant path's kind of guest): static busybox and a mark, nothing of the host's. */
function busyboxRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'lvslab-root-'));
  for (const dir of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'run', 'lib/modules']) mkdirSync(join(root, dir), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
  for (const applet of ['sh', 'cat', 'cut', 'stty', 'ls', 'modprobe', 'sleep']) symlinkSync('busybox', join(root, 'bin', applet));
  writeFileSync(join(root, 'etc', 'lvslab-root'), 'a root of its own\n');
  return root;
}

async function bootRoot(root: string, extra: Partial<VmRequest>): Promise<{ exitCode: number; stdout: string }> {
  let stdout = '';
  const request = await vmRequest({
    argv: ['sh', '-c', 'cat /etc/lvslab-root; ls /opt 2>&1 | head -1; modprobe virtio_net && sleep 1; ls -1 /sys/class/net; cat "$SHARED/note"'],
    stdout: new Writable({ write: (chunk, _e, next) => ((stdout += chunk.toString()), next()) }),
    stderr: new Writable({ write: (_c, _e, next) => next() }),
    log: () => undefined,
  });
  const outcome = await slot(() =>
    runInVm({
      ...request,
      cwd: '/',
      accel: 'tcg',
      cpus: 1,
      memoryMb: 512,
      timeoutSec: 200,
      env: { PATH: '/bin', SHARED: extra.shares![0] },
      root,
      ...extra,
    }),
  );
  return { exitCode: outcome.exitCode, stdout };
}

test('another root: the guest runs on it, sees only the shares it was given, and a network card only when asked', async (t) => {
  const root = busyboxRoot();
  const shared = mkdtempSync(join(tmpdir(), 'lvslab-share-'));
  writeFileSync(join(shared, 'note'), 'shared at the same path\n');
  try {
    const withCard = await bootRoot(root, { shares: [shared], network: 'user' });
    t.is(withCard.exitCode, 0, withCard.stdout);
    // /opt is the host's, not the root's: the host root is not underneath.
    t.deepEqual(withCard.stdout.trim().split('\n'), ['a root of its own', 'ls: /opt: No such file or directory', 'eth0', 'lo', 'shared at the same path']);
    const without = await bootRoot(root, { shares: [shared] });
    t.deepEqual(without.stdout.trim().split('\n'), ['a root of its own', 'ls: /opt: No such file or directory', 'lo', 'shared at the same path']);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(shared, { recursive: true, force: true });
  }
});

// base64 of 1.5 MB of random bytes on stdout; its checksum, taken in the guest, on stderr; then status 1.
let megabytesBoot: Promise<Awaited<ReturnType<typeof vmNow>>> | undefined;
const megabytes = () =>
  (megabytesBoot ??= slot(() =>
    vmNow(['--', 'sh', '-c', 'head -c 1500000 /dev/urandom | base64 -w 0 > /tmp/data; sha256sum < /tmp/data >&2; cat /tmp/data; exit 1']),
  ));

test('megabytes of output cross the stream channels intact, stdout and stderr each whole', async (t) => {
  const result = await megabytes();
  t.is(result.exitCode, 1, result.stderr.slice(-500));
  t.is(result.stdout.length, 2_000_000);
  t.is(createHash('sha256').update(result.stdout).digest('hex'), result.stderr.trim().split(/\s+/)[0]);
});

test('two guests at once share nothing: each sees only its own namespaces, files and modules', async (t) => {
  const guest = (name: string) =>
    vmNow([
      '--',
      'sh',
      '-c',
      `ip netns add only-${name}; echo ${name} > /tmp/mark; modprobe ip_vs_${name}; sleep 2; ip netns list; cat /tmp/mark; ` +
        `lsmod | grep -o '^ip_vs_[a-z]*'; nproc`,
    ]);
  // One slot for the pair: the two must really run at the same time.
  const [a, b] = await slot(() => Promise.all([guest('rr'), guest('sh')]));
  t.is(a.exitCode, 0, a.stderr);
  t.is(b.exitCode, 0, b.stderr);
  t.deepEqual(a.stdout.split('\n'), ['only-rr', 'rr', 'ip_vs_rr', '1'], 'one vCPU: --cpus 1');
  t.deepEqual(b.stdout.split('\n'), ['only-sh', 'sh', 'ip_vs_sh', '1']);
});

test('LVSLAB_VM_ASLR=on gives the guest address-space randomization back; a value it cannot be is refused', async (t) => {
  const on = await vm(['--', 'cat', '/proc/sys/kernel/randomize_va_space'], { LVSLAB_VM_ASLR: 'on' });
  t.is(on.exitCode, 0, on.stderr);
  t.is(on.stdout, '2');
  const unknown = await vm(['--', 'true'], { LVSLAB_VM_ASLR: 'maybe' });
  t.is(unknown.exitCode, 125);
  t.regex(unknown.stderr, /LVSLAB_VM_ASLR=maybe is not a choice: off \(the default: no address-space randomization in the guest\) or on/);
});

test('the pc machine (LVSLAB_VM_MACHINE=pc, or a host without a TSC rate): same streams, same status; an unknown machine is refused', async (t) => {
  const pc = await vm(['--', 'sh', '-c', 'ls /sys/bus/pci/devices | wc -l; echo to-stderr >&2; exit 7'], { LVSLAB_VM_MACHINE: 'pc' });
  t.is(pc.exitCode, 7, pc.stderr);
  t.true(Number(pc.stdout) > 0, 'the pc machine has PCI devices');
  t.regex(pc.stderr, /^to-stderr$/m);
  t.deepEqual(part((await plain()).stdout, 'pci'), ['0'], 'the microvm machine has none');
  // A host that does not say its TSC rate (imitated: LVSLAB_TSC_KHZ=none) boots pc under emulation, and says so.
  const noRate = await vm(['--', 'sh', '-c', 'ls /sys/bus/pci/devices | wc -l'], { LVSLAB_TSC_KHZ: 'none' });
  t.is(noRate.exitCode, 0, noRate.stderr);
  t.true(Number(noRate.stdout) > 0);
  t.regex(noRate.stderr, /does not say its TSC rate, which the microvm machine needs under software emulation; booting the pc machine \(slower\)/);
  const unknown = await vm(['--', 'true'], { LVSLAB_VM_MACHINE: 'q35' });
  t.is(unknown.exitCode, 125);
  t.regex(unknown.stderr, /LVSLAB_VM_MACHINE=q35 is not a machine lvslab boots: microvm \(the default\) or pc/);
});
