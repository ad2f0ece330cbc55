/**
 * Benchmark (not a test): microVM boot-to-first-command time over several boots, the wall time of
 * `lvslab vm -- true`, and the wall time of `lvslab test` on the shipped topologies (one boot).
 *   npm run bench:vm            (or: node dist/src/bench/vm-boot.js [--boots 3])
 */
import { ExecaRunner } from '../apply/runner.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CLI_ENTRY, PACKAGE_ROOT } from '../model/package-root.js';
import { defaultKernel } from '../vm/kernel.js';
import { guestEnvironment, runInVm } from '../vm/launch.js';
import { kvmUsable } from '../vm/kvm-verdict.js';

const discard = () => new Writable({ write: (_c, _e, next) => next() });

async function main(): Promise<void> {
  const bootsIndex = process.argv.indexOf('--boots');
  const boots = bootsIndex === -1 ? 3 : Number(process.argv[bootsIndex + 1]);
  const kernel = await defaultKernel({ fetch: true, log: (l) => process.stderr.write(`${l}\n`) });
  const rows: string[] = [];
  const bootTimes: number[] = [];
  const walls: number[] = [];
  let accel = '';
  for (let i = 0; i < boots; i++) {
    const started = Date.now();
    const outcome = await runInVm({
      argv: ['true'],
      cwd: PACKAGE_ROOT,
      env: guestEnvironment(process.env),
      kernel,
      accel: 'auto',
      memoryMb: 1024,
      timeoutSec: 120,
      stdout: discard(),
      stderr: discard(),
      log: () => undefined,
    });
    walls.push((Date.now() - started) / 1000);
    bootTimes.push(outcome.bootSeconds ?? NaN);
    accel = outcome.accel;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  rows.push(
    `| kernel boot to first command (guest uptime) | ${median(bootTimes).toFixed(2)} s | ${bootTimes.map((x) => x.toFixed(2)).join(', ')} | at most 4 s |`,
  );
  rows.push(`| \`lvslab vm -- true\`, power-on to power-off | ${median(walls).toFixed(2)} s | ${walls.map((x) => x.toFixed(2)).join(', ')} | |`);
  const runTest = async (files: string[], label: string, goal: string) => {
    const started = Date.now();
    const test = await new ExecaRunner().run([process.execPath, CLI_ENTRY, 'test', '--runner', 'vm', ...files], { cwd: PACKAGE_ROOT });
    const seconds = (Date.now() - started) / 1000;
    rows.push(`| \`lvslab test ${label}\` (one boot) | ${seconds.toFixed(1)} s | ${test.stdout.trim().split('\n').pop()} (exit ${test.exitCode}) | ${goal} |`);
  };
  await runTest(
    ['dr', 'nat', 'tun', 'fullnat'].map((m) => `topologies/${m}.yaml`),
    'topologies/{dr,nat,tun,fullnat}.yaml',
    'at most 90 s',
  );
  const all = readdirSync(join(PACKAGE_ROOT, 'topologies'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `topologies/${f}`);
  await runTest(all, `topologies/*.yaml (${all.length} labs)`, '');
  console.log(
    `microVM under ${accel === 'kvm' ? 'KVM' : 'software emulation (TCG)'}${kvmUsable() ? '' : ' (/dev/kvm not usable here)'}, kernel ${kernel.version}, 2 ` +
      `vCPUs, ${boots} boots:\n`,
  );
  console.log('| measure | median | runs | goal |\n|---|---:|---|---|');
  console.log(rows.join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
