/**
 * Benchmark (not a test): microVM boot-to-first-command time and the wall time of `lvslab vm -- true`
 * on both machines (the previous pc path beside the microvm default, interleaved in one run), then the
 * wall time of `lvslab test` on the shipped topologies (one boot).
 *   npm run bench:vm            (or: node dist/src/bench/vm-boot.js [--boots 5] [--boots-only])
 */
import { ProcessRunner } from '../apply/runner.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CLI_ENTRY, PACKAGE_ROOT } from '../model/package-root.js';
import { defaultKernel, type Kernel } from '../vm/kernel.js';
import { MACHINE_KINDS, type MachineKind } from '../vm/machine.js';
import { guestEnvironment, runInVm } from '../vm/launch.js';
import { kvmUsable } from '../vm/kvm-verdict.js';

const discard = () => new Writable({ write: (_c, _e, next) => next() });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface BootSample {
  bootSeconds: number;
  wallSeconds: number;
  accel: string;
}

async function bootOnce(kernel: Kernel, kind: MachineKind): Promise<BootSample> {
  const started = Date.now();
  const outcome = await runInVm({
    argv: ['true'],
    cwd: PACKAGE_ROOT,
    env: guestEnvironment(process.env),
    kernel,
    accel: 'auto',
    memoryMb: 1024,
    timeoutSec: 120,
    machine: kind,
    stdout: discard(),
    stderr: discard(),
    log: () => undefined,
  });
  return { bootSeconds: outcome.bootSeconds ?? NaN, wallSeconds: (Date.now() - started) / 1000, accel: outcome.accel };
}

async function main(): Promise<void> {
  const bootsIndex = process.argv.indexOf('--boots');
  const boots = bootsIndex === -1 ? 5 : Number(process.argv[bootsIndex + 1]);
  const withTest = !process.argv.includes('--boots-only');
  const kernel = await defaultKernel({ fetch: true, log: (l) => process.stderr.write(`${l}\n`) });
  const samples: Record<MachineKind, BootSample[]> = { pc: [], microvm: [] };
  // Interleaved, so that a neighbour's load falls on both machines alike.
  for (let i = 0; i < boots; i++) for (const kind of MACHINE_KINDS) samples[kind].push(await bootOnce(kernel, kind));
  const rows: string[] = [];
  const cell = (xs: number[]) => `${median(xs).toFixed(2)} s (${xs.map((x) => x.toFixed(2)).join(', ')})`;
  const ratio = (pick: (s: BootSample) => number) => (median(samples.pc.map(pick)) / median(samples.microvm.map(pick))).toFixed(1);
  rows.push(
    `| kernel boot to first command (guest uptime) | ${cell(samples.pc.map((s) => s.bootSeconds))} | ${cell(samples.microvm.map((s) => s.bootSeconds))} | ` +
      `${ratio((s) => s.bootSeconds)}x | at most 1.5 s |`,
  );
  rows.push(
    `| \`lvslab vm -- true\`, power-on to power-off | ${cell(samples.pc.map((s) => s.wallSeconds))} | ${cell(samples.microvm.map((s) => s.wallSeconds))} | ` +
      `${ratio((s) => s.wallSeconds)}x | at most 3 s |`,
  );
  const accel = samples.microvm[0]?.accel;
  console.log(
    `microVM under ${accel === 'kvm' ? 'KVM' : 'software emulation (TCG)'}${kvmUsable() ? '' : ' (/dev/kvm not usable here)'}, kernel ${kernel.version}, 2 ` +
      `vCPUs, ${boots} boots per machine, interleaved; ${new Date().toISOString().slice(0, 10)}:\n`,
  );
  console.log('| measure | pc (previous path) | microvm (default) | speed-up | goal |\n|---|---:|---:|---:|---|');
  console.log(rows.join('\n'));
  if (!withTest) return;
  const testRows: string[] = [];
  const runTest = async (files: string[], label: string) => {
    const started = Date.now();
    const test = await new ProcessRunner().run([process.execPath, CLI_ENTRY, 'test', '--runner', 'vm', ...files], { cwd: PACKAGE_ROOT });
    const seconds = (Date.now() - started) / 1000;
    testRows.push(`| \`lvslab test ${label}\` (one boot) | ${seconds.toFixed(1)} s | ${test.stdout.trim().split('\n').pop()} (exit ${test.exitCode}) |`);
  };
  await runTest(
    ['dr', 'nat', 'tun', 'fullnat'].map((m) => `topologies/${m}.yaml`),
    'topologies/{dr,nat,tun,fullnat}.yaml',
  );
  const all = readdirSync(join(PACKAGE_ROOT, 'topologies'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `topologies/${f}`);
  await runTest(all, `topologies/*.yaml (${all.length} labs)`);
  console.log('\n| run (default machine) | wall time | result |\n|---|---:|---|');
  console.log(testRows.join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
