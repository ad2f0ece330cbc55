/**
 * `--accel auto` on hosts whose /dev/kvm cannot run the guest. Fake qemu programs on PATH imitate
 * what such hosts do under `-accel kvm` (abort on MSR 0x10a, exit 1, hang) and hand every other
 * argv to the real qemu, so each path must end in a real TCG boot. Also: signals and stale run folders.
 */
import test from 'ava';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI_ENTRY, PACKAGE_ROOT } from '../../src/model/package-root.js';
import { cacheDir, defaultKernel } from '../../src/vm/kernel.js';
import { pvhImage } from '../../src/vm/pvh-kernel.js';
import { bootSlots, ONE_VCPU } from '../helpers/boot-slots.js';

const slot = bootSlots(3);

// The PVH image is unpacked once in the real cache, so that every test's own cache links it rather than unpacking it again.
test.before(async () => {
  await pvhImage(await defaultKernel({ fetch: false, log: () => undefined }));
});

const REAL_QEMU = '/usr/bin/qemu-system-x86_64';

/** The tests' own folders (fake qemu programs, caches, stand-in devices), removed when the file is done. */
const scratch: string[] = [];
const scratchDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};
test.after.always(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const UNDER_KVM = {
  abort: 'echo "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69" >&2; kill -ABRT $$',
  'exit 1': 'echo "qemu-system-x86_64: -accel kvm: failed to initialize kvm: Operation not supported" >&2; exit 1',
  hang: 'exec sleep 600',
};

/** A folder with a fake qemu that behaves as `kvmBehaviour` under -accel kvm and leaves a mark when it does. */
function fakeQemu(kvmBehaviour: string): { bin: string; mark: string } {
  const bin = scratchDir('lvslab-fake-qemu-');
  const mark = join(bin, 'kvm-tried');
  writeFileSync(
    join(bin, 'qemu-system-x86_64'),
    `#!/bin/sh\ncase " $* " in *" -accel kvm "*) echo tried >> ${mark}; ${kvmBehaviour} ;; esac\nexec ${REAL_QEMU} "$@"\n`,
  );
  chmodSync(join(bin, 'qemu-system-x86_64'), 0o755);
  return { bin, mark };
}

/** A cache of its own (no remembered KVM verdict) that reuses the real cache's kernel, its PVH image and the initramfs. */
function freshCache(): string {
  const cache = scratchDir('lvslab-cache-');
  for (const entry of readdirSync(cacheDir())) {
    if (entry === 'kernel' || entry.startsWith('initramfs-') || entry.startsWith('vmlinux-')) symlinkSync(join(cacheDir(), entry), join(cache, entry));
  }
  return cache;
}

/** A stand-in for /dev/kvm that is readable and writable, so auto tries KVM on any host. */
function kvmDevice(): string {
  const device = join(scratchDir('lvslab-kvm-'), 'kvm');
  writeFileSync(device, '');
  return device;
}

function vm(args: string[], env: Record<string, string>) {
  return slot(() =>
    execa(process.execPath, [CLI_ENTRY, 'vm', ...ONE_VCPU, ...args], {
      cwd: PACKAGE_ROOT,
      reject: false,
      timeout: 240_000,
      env: { ...env, LVSLAB_PROGRESS: 'plain', PATH: `${env.PATH}:${process.env.PATH}` },
    }),
  );
}

for (const [behaviour, script] of Object.entries(UNDER_KVM)) {
  // Concurrent: each test has its own cache, fake qemu and run folders; boots overlap instead of queueing.
  test(
    `a KVM that ${behaviour === 'hang' ? 'hangs' : `ends in ${behaviour}`} before the guest boots falls back to TCG, says why, and is not tried again on ` +
      `this host`,
    async (t) => {
      const { bin, mark } = fakeQemu(script);
      const env = { PATH: bin, LVSLAB_CACHE: freshCache(), LVSLAB_KVM_DEVICE: kvmDevice() };
      const first = await vm(['--', 'echo', 'served'], env);
      t.is(first.exitCode, 0, first.stderr);
      t.is(first.stdout, 'served');
      t.true(existsSync(mark), 'KVM was tried first');
      const why =
        behaviour === 'hang'
          ? /KVM did not finish booting within 8 s/
          : behaviour === 'abort'
            ? /killed by SIGABRT\): qemu-system-x86_64: error: failed to set MSR 0x10a/
            : /status 1\): .*failed to initialize kvm/;
      t.regex(first.stderr, new RegExp(`KVM cannot run the guest here \\(.*${why.source}.*\\); using software emulation \\(TCG\\)`));
      t.notRegex(first.stderr, /apt-get install/);
      const verdicts = JSON.parse(readFileSync(join(env.LVSLAB_CACHE, 'kvm-verdict.json'), 'utf8')) as Record<string, { broken: string }>;
      t.regex(Object.values(verdicts)[0].broken, why);

      if (behaviour === 'hang') {
        // A boot that only timed out may have met a busy host: KVM gets one more try before it is given up.
        writeFileSync(mark, '');
        const again = await vm(['--', 'true'], env);
        t.is(again.exitCode, 0, again.stderr);
        t.true(readFileSync(mark, 'utf8').length > 0, 'a single hang does not settle it');
        t.regex(again.stderr, /counted for this host/);
      }
      writeFileSync(mark, '');
      const second = await vm(['--', 'echo', 'again'], env);
      t.is(second.exitCode, 0, second.stderr);
      t.is(second.stdout, 'again');
      t.is(readFileSync(mark, 'utf8'), '', 'KVM is not tried again');
      t.regex(second.stderr, /using software emulation \(TCG\): KVM could not run the guest on this host before/);
    },
  );
}

test('a KVM boot that works clears what was counted against KVM on this host', async (t) => {
  // A "KVM" that works: the fake hands -accel kvm to the real qemu as software emulation, which boots.
  const bin = scratchDir('lvslab-fake-qemu-');
  writeFileSync(
    join(bin, 'qemu-system-x86_64'),
    `#!/bin/sh\nfor a in "$@"; do shift; if [ "$a" = kvm ]; then set -- "$@" tcg; else set -- "$@" "$a"; fi; done\nexec ${REAL_QEMU} "$@"\n`,
  );
  chmodSync(join(bin, 'qemu-system-x86_64'), 0o755);
  const cache = freshCache();
  const key = (await execa(REAL_QEMU, ['--version'])).stdout.split('\n')[0].trim();
  const { release } = await import('node:os');
  writeFileSync(join(cache, 'kvm-verdict.json'), JSON.stringify({ [`${release()} ${key}`]: { broken: 'timed out once', seen: 'x', died: false, hangs: 1 } }));
  // The stand-in boots by emulation, slower than a real KVM: the handshake window is widened for it.
  const env = { PATH: bin, LVSLAB_CACHE: cache, LVSLAB_KVM_DEVICE: kvmDevice(), LVSLAB_KVM_HANDSHAKE_MS: '120000' };
  const result = await vm(['--', 'echo', 'served'], env);
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stderr, /using KVM/);
  t.deepEqual(JSON.parse(readFileSync(join(cache, 'kvm-verdict.json'), 'utf8')), {});
});

test('without a usable /dev/kvm, auto goes straight to software emulation and says why', async (t) => {
  const { bin, mark } = fakeQemu(UNDER_KVM.abort);
  const result = await vm(['--', 'echo', 'served'], { PATH: bin, LVSLAB_CACHE: freshCache(), LVSLAB_KVM_DEVICE: '/nonexistent/kvm' });
  t.is(result.exitCode, 0, result.stderr);
  t.is(result.stdout, 'served');
  t.false(existsSync(mark), 'KVM is not tried');
  t.regex(result.stderr, /using software emulation \(TCG\): \/dev\/kvm is not usable here/);
});

test("--accel kvm on such a host fails with qemu's own reason and no hint about a package", async (t) => {
  const { bin } = fakeQemu(UNDER_KVM.abort);
  const result = await vm(['--accel', 'kvm', '--', 'true'], { PATH: bin, LVSLAB_CACHE: freshCache(), LVSLAB_KVM_DEVICE: kvmDevice() });
  t.is(result.exitCode, 125);
  t.regex(result.stderr, /qemu-system-x86_64 failed \(killed by SIGABRT\): qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69/);
  t.notRegex(result.stderr, /apt-get install|using KVM/);
});

/** The qemu processes whose command line names this run folder prefix. */
function qemusOf(runPrefix: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(runPrefix);
      } catch {
        return false;
      }
    })
    .map(Number);
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  test(`${signal} to a running lvslab vm stops its qemu and removes its run folder`, async (t) => {
    const cache = freshCache();
    const child = execa(process.execPath, [CLI_ENTRY, 'vm', '--accel', 'tcg', ...ONE_VCPU, '--', 'sh', '-c', 'echo started; sleep 600'], {
      cwd: PACKAGE_ROOT,
      reject: false,
      env: { LVSLAB_CACHE: cache },
      timeout: 240_000,
    });
    // A serial port delivers bytes in any chunks: "sta" and "rted" may come apart.
    let output = '';
    const started = new Promise<void>((resolve) =>
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('started')) resolve();
      }),
    );
    const early = await Promise.race([started.then(() => undefined), child]);
    if (early) return t.fail(`lvslab vm ended before its command started: ${early.exitCode} ${early.stderr}`);
    const runPrefix = join(cache, 'runs', `${child.pid}-`);
    t.true(qemusOf(runPrefix).length > 0, 'qemu runs while the command does');
    child.kill(signal);
    const result = await child;
    t.is(result.exitCode, 128 + { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal]);
    await new Promise((r) => setTimeout(r, 300));
    t.deepEqual(qemusOf(runPrefix), []);
    t.deepEqual(readdirSync(join(cache, 'runs')), []);
  });
}

test('a run folder left by a dead lvslab is removed by the next run; a live one is kept', async (t) => {
  const cache = freshCache();
  const dead = join(cache, 'runs', '2147483646-1-dead');
  const alive = join(cache, 'runs', `${process.pid}-1-alive`);
  mkdirSync(dead, { recursive: true });
  mkdirSync(alive, { recursive: true });
  const result = await slot(() =>
    execa(process.execPath, [CLI_ENTRY, 'vm', '--accel', 'tcg', ...ONE_VCPU, '--', 'true'], {
      cwd: PACKAGE_ROOT,
      reject: false,
      env: { LVSLAB_CACHE: cache },
      timeout: 240_000,
    }),
  );
  t.is(result.exitCode, 0, result.stderr);
  t.false(existsSync(dead));
  t.true(existsSync(alive));
});
