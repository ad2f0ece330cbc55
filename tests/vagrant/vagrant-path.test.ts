import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner, RunResult } from '../../src/apply/runner.js';
import type { Root, RootKind } from '../../src/vagrant/debian-root.js';
import { RootError, rootsDir } from '../../src/vagrant/debian-root.js';
import { STEP_MARKER } from '../../src/vagrant/guest-steps.js';
import { markerProgress, runVagrantPath, type VagrantPathDeps } from '../../src/vagrant/vagrant-path.js';
import type { VmOutcome, VmRequest } from '../../src/vm/launch.js';
import { VmError } from '../../src/vm/vm-error.js';

class RsyncOnly implements CommandRunner {
  readonly calls: string[][] = [];
  spawned = 0;
  async run(argv: readonly string[]): Promise<RunResult> {
    this.calls.push([...argv]);
    return { exitCode: argv[0] === 'rsync' ? 0 : 127, stdout: '', stderr: '' };
  }
  start(): never {
    throw new Error('not used');
  }
  capture(): never {
    throw new Error('not used');
  }
  attached(): never {
    throw new Error('not used');
  }
}

/** A guest that answers every step with the given outcome: passes unless told which step fails and what it prints. */
function scriptedGuest(failing?: { step: string; status: number; said: string }, dies?: string) {
  const requests: VmRequest[] = [];
  const runGuest = async (request: VmRequest): Promise<VmOutcome> => {
    requests.push(request);
    const names = [...request.argv![2].matchAll(new RegExp(`${STEP_MARKER} begin ([\\w-]+)`, 'g'))].map((m) => m[1]);
    for (const name of names) {
      request.stdout.write(`${STEP_MARKER} begin ${name}\nworking on ${name}\n`);
      if (dies && name === dies) throw new VmError('the microVM timed out after 3600 s and was killed; its console ended with:\n[ 99.0] hung task');
      if (failing?.step === name) {
        request.stdout.write(`${failing.said}\n${STEP_MARKER} end ${name} ${failing.status} 2500\n`);
        return { exitCode: failing.status, accel: 'tcg', bootSeconds: 3.5 };
      }
      request.stdout.write(`${STEP_MARKER} end ${name} 0 1000\n`);
    }
    return { exitCode: 0, accel: 'tcg', bootSeconds: 3.5 };
  };
  return { requests, runGuest };
}

function setUp(runGuest: VagrantPathDeps['runGuest'], buildRoot?: (kind: RootKind) => Promise<Root>) {
  process.env.LVSLAB_CACHE = mkdtempSync(join(tmpdir(), 'lvslab-vp-'));
  const out: string[] = [];
  const runner = new RsyncOnly();
  const options = {
    kinds: ['no-node', 'node18'] as RootKind[],
    accel: 'auto' as const,
    memoryMb: 6144,
    timeoutSec: 3600,
    logDir: join(process.env.LVSLAB_CACHE, 'logs'),
    out: (line: string) => out.push(line),
    log: () => undefined,
  };
  const deps: VagrantPathDeps = {
    runner,
    kernel: async () => ({ version: '6.1.0-1-amd64', vmlinuz: '/k/vmlinuz', modulesRoot: '/k/modules' }),
    buildRoot: buildRoot ?? (async (kind) => ({ kind, dir: `/roots/${kind}`, release: '12.4+deb12u15', built: false })),
    runGuest,
    trust: { shares: [], env: {} },
  };
  return { out, runner, options, deps };
}

test.serial('every step passing: a row per step, both roots, and the closing line', async (t) => {
  const guest = scriptedGuest();
  const { out, options, deps, runner } = setUp(guest.runGuest);
  const rows = await runVagrantPath(options, deps);
  t.deepEqual(
    rows.map((r) => `${r.kind}/${r.step}:${r.status}`),
    [
      ...['root', 'boot', 'system', 'network', 'copy', 'provision', 'node', 'demo', 'test'].map((s) => `no-node/${s}:passed`),
      ...['root', 'boot', 'system', 'network', 'copy', 'provision', 'node'].map((s) => `node18/${s}:passed`),
    ],
  );
  t.is(out.at(-1), '16 passed, 0 failed, 0 skipped');
  t.regex(out[0], /\| no-node \| provision \| passed \| 1.0 s \| the Vagrantfile's provisioning line, as root \|/);
  // The synced folder: rsync with the Vagrantfile's excludes, to a copy the guest sees (not the checkout itself).
  const rsync = runner.calls.find((c) => c[0] === 'rsync')!;
  t.true(rsync.includes('--exclude=node_modules/') && rsync.includes('--exclude=dist/'));
  const [first] = guest.requests;
  t.is(first.root, '/roots/no-node');
  t.is(first.network, 'user');
  t.deepEqual(first.shares, [rsync.at(-1)!.replace(/\/$/, '')]);
  t.true(first.argv![2].includes("printf '%s\\n' 'cd /vagrant && bash .ci/provision' > /tmp/vagrant-shell"));
  t.regex(readFileSync(join(options.logDir, 'no-node.log'), 'utf8'), /working on provision/);
});

test.serial('no network inside the guest: the network step fails with its words and exit status, and the rest is skipped', async (t) => {
  const guest = scriptedGuest({ step: 'network', status: 1, said: 'no network inside the guest: cannot resolve the-registry' });
  const { out, options, deps } = setUp(guest.runGuest);
  const rows = await runVagrantPath({ ...options, kinds: ['no-node'], break: 'network' }, deps);
  t.is(guest.requests[0].network, 'isolated');
  t.deepEqual(
    rows.filter((r) => r.status !== 'passed').map((r) => `${r.step}:${r.status}`),
    ['network:failed', 'copy:not run', 'provision:not run', 'node:not run', 'demo:not run', 'test:not run'],
  );
  const report = out.join('\n');
  t.regex(
    report,
    /FAILED no-node \/ network: the guest's network reaches the Debian registry\nexit status 1\n--- the guest's console, last lines of this step ---\n/,
  );
  t.regex(report, /working on network\nno network inside the guest: cannot resolve the-registry/);
  t.is(out.at(-1), '3 passed, 1 failed, 5 skipped');
});

test.serial("a package that will not install fails the provisioning step, with apt's words in the tail", async (t) => {
  const said = "E: Package 'npm' has no installation candidate";
  const { out, options, deps } = setUp(scriptedGuest({ step: 'provision', status: 100, said }).runGuest);
  await runVagrantPath({ ...options, kinds: ['no-node'], break: 'package' }, deps);
  t.regex(out.join('\n'), /FAILED no-node \/ provision: .*\nexit status 100\n[^]*E: Package 'npm' has no installation candidate/);
});

test.serial('a guest that dies in a step: that step failed with the microVM error and its console tail', async (t) => {
  const { out, options, deps } = setUp(scriptedGuest(undefined, 'demo').runGuest);
  const rows = await runVagrantPath({ ...options, kinds: ['no-node'] }, deps);
  t.is(rows.find((r) => r.step === 'demo')?.status, 'failed');
  t.is(rows.find((r) => r.step === 'test')?.status, 'not run');
  t.regex(out.join('\n'), /FAILED no-node \/ demo: .*\nthe guest stopped during it: the microVM timed out after 3600 s[^]*hung task/);
});

test.serial('a guest that never boots: the boot row fails with the error, no step ran', async (t) => {
  const runGuest = async (): Promise<VmOutcome> => {
    throw new VmError('the guest kernel panicked: Kernel panic - not syncing: VFS');
  };
  const { out, options, deps } = setUp(runGuest);
  const rows = await runVagrantPath({ ...options, kinds: ['no-node'] }, deps);
  t.is(rows.find((r) => r.step === 'boot')?.status, 'failed');
  t.regex(out.join('\n'), /FAILED no-node \/ boot: [^\n]*\nthe guest kernel panicked/);
  t.is(out.at(-1), '1 passed, 1 failed, 7 skipped');
});

test.serial("a root that cannot be built fails its row and skips that root's steps; the other root still runs", async (t) => {
  const guest = scriptedGuest();
  const buildRoot = async (kind: RootKind): Promise<Root> => {
    if (kind === 'no-node') throw new RootError('mmdebstrap could not build the no-node root (status 1):\nE: no space left');
    return { kind, dir: '/roots/node18', release: '12.4+deb12u15', built: true };
  };
  const { out, options, deps } = setUp(guest.runGuest, buildRoot);
  const rows = await runVagrantPath(options, deps);
  t.is(guest.requests.length, 1);
  t.deepEqual(
    rows.filter((r) => r.kind === 'no-node').map((r) => r.status),
    ['failed', ...Array(8).fill('not run')],
  );
  t.true(rows.filter((r) => r.kind === 'node18').every((r) => r.status === 'passed'));
  t.regex(out.join('\n'), /FAILED no-node \/ root: [^\n]*\nmmdebstrap could not build the no-node root \(status 1\):\nE: no space left/);
});

test.serial("the box trusts what the host's network asks a machine to trust: its local CAs and Node's extra CA bundle", async (t) => {
  const guest = scriptedGuest();
  const { options, deps } = setUp(guest.runGuest);
  deps.trust = { shares: ['/usr/local/share/ca-certificates'], env: { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' } };
  await runVagrantPath({ ...options, kinds: ['no-node'] }, deps);
  t.true(guest.requests[0].shares!.includes('/usr/local/share/ca-certificates'));
  t.is(guest.requests[0].env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt');
});

test.serial('the copy of the checkout is removed afterwards, and so are copies left by a run that was killed', async (t) => {
  const guest = scriptedGuest();
  const { options, deps } = setUp(guest.runGuest);
  const child = execa('true');
  const dead = child.pid!;
  await child;
  const stale = join(rootsDir(), 'checkouts', `${dead}-vagrant`);
  mkdirSync(stale, { recursive: true });
  await runVagrantPath({ ...options, kinds: ['no-node'] }, deps);
  t.false(existsSync(stale));
  t.false(existsSync(guest.requests[0].shares![0]));
  t.deepEqual(readdirSync(join(rootsDir(), 'checkouts')), []);
});

test.serial('a character split across two chunks of the serial port arrives whole', async (t) => {
  const runGuest = async (request: VmRequest): Promise<VmOutcome> => {
    const check = Buffer.from(`${STEP_MARKER} begin system\n✔ whole\n`);
    const cut = check.indexOf(Buffer.from('✔')) + 1;
    request.stdout.write(check.subarray(0, cut));
    request.stdout.write(check.subarray(cut));
    request.stdout.write(`${STEP_MARKER} end system 0 10\n`);
    return { exitCode: 0, accel: 'tcg', bootSeconds: 1 };
  };
  const { options, deps } = setUp(runGuest);
  await runVagrantPath({ ...options, kinds: ['no-node'] }, deps);
  t.regex(readFileSync(join(options.logDir, 'no-node.log'), 'utf8'), /^✔ whole$/m);
});

test('progress: a line when a step begins and when it ends, even from a marker split across chunks', (t) => {
  const lines: string[] = [];
  const progress = markerProgress('node18', (line) => lines.push(line));
  progress(`${STEP_MARKER} begin provision\nsome output\n${STEP_MARKER} end provi`);
  progress(`sion 100 24658\n${STEP_MARKER} begin node\n`);
  t.deepEqual(lines, ['node18: provision ...', 'node18: provision failed (status 100) in 24.658 s', 'node18: node ...']);
});
