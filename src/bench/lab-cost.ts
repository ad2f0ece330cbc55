/**
 * Benchmark (not a test): the time and processes of `up` and `down` for 2, 8 and 32 real servers,
 * against the naive script that runs the same commands one process each, measured in one run.
 * Needs IPVS: where the host has none it re-runs itself in the microVM.
 *   npm run bench:lab            (or: node dist/src/bench/lab-cost.js [--sizes 2,8,32])
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp } from '../apply/lab-lifecycle.js';
import { machineLifecycle } from '../session/lab-machine.js';
import { ProcessRunner } from '../apply/runner.js';
import { SERVICE_COMMAND } from '../model/package-root.js';
import { buildPlan } from '../plan/build-plan.js';
import { loadLab } from '../validate/validate-topology.js';
import { measureHereOrInVm } from './in-vm.js';
import { naiveDownScript, naiveUpScript } from './naive-script.js';
import { timed } from './timed.js';

interface Row {
  servers: number;
  upMs: number;
  downMs: number;
  upProcesses: number;
  downProcesses: number;
  naiveUpMs: number;
  naiveDownMs: number;
  naiveUpProcesses: number;
  naiveDownProcesses: number;
}

async function measure(servers: number, dir: string): Promise<Row> {
  const file = join(dir, `bench${servers}.yaml`);
  await writeFile(file, `name: bench${servers}\nmode: dr\nrealServers: ${servers}\n`);
  const lab = await loadLab(file);
  const plan = buildPlan(lab, { service: SERVICE_COMMAND });
  const upRunner = new ProcessRunner();
  const up = await timed(() => labUp(lab, { service: SERVICE_COMMAND }, machineLifecycle(upRunner)));
  const downRunner = new ProcessRunner();
  const down = await timed(() => labDown(lab.name, machineLifecycle(downRunner)));
  const naiveUp = naiveUpScript(plan);
  const naiveDown = naiveDownScript(plan);
  await writeFile(join(dir, 'up.sh'), naiveUp.script);
  await writeFile(join(dir, 'down.sh'), naiveDown.script);
  const sh = async (script: string) => {
    const result = await new ProcessRunner().run(['sh', join(dir, script)]);
    if (result.exitCode !== 0) throw new Error(`the naive ${script} failed: ${result.stderr.trim()}`);
    return result;
  };
  const naiveUpRun = await timed(() => sh('up.sh'));
  const naiveDownRun = await timed(() => sh('down.sh'));
  return {
    servers,
    upMs: up.ms,
    downMs: down.ms,
    upProcesses: upRunner.spawned,
    downProcesses: downRunner.spawned,
    naiveUpMs: naiveUpRun.ms,
    naiveDownMs: naiveDownRun.ms,
    naiveUpProcesses: naiveUp.processes,
    naiveDownProcesses: naiveDown.processes,
  };
}

function table(rows: Row[]): string {
  const header =
    '| real servers | lvslab up | naive up | up ratio | lvslab down | naive down | down ratio | processes up (lvslab / naive) | processes down (lvslab / ' +
    'naive) |';
  const lines = [header, '|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    lines.push(
      `| ${r.servers} | ${r.upMs} ms | ${r.naiveUpMs} ms | ${(r.upMs / r.naiveUpMs).toFixed(2)} | ${r.downMs} ms | ${r.naiveDownMs} ms | ` +
        `${(r.downMs / r.naiveDownMs).toFixed(2)} | ${r.upProcesses} / ${r.naiveUpProcesses} | ${r.downProcesses} / ${r.naiveDownProcesses} |`,
    );
  }
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (rows.length > 1) {
    const span = last.servers - first.servers;
    lines.push(
      '',
      `Cost of one more real server: lvslab up ${((last.upMs - first.upMs) / span).toFixed(0)} ms and ` +
        `${((last.upProcesses - first.upProcesses) / span).toFixed(1)} processes; naive up ${((last.naiveUpMs - first.naiveUpMs) / span).toFixed(0)} ms and ` +
        `${((last.naiveUpProcesses - first.naiveUpProcesses) / span).toFixed(1)} processes.`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const sizesIndex = process.argv.indexOf('--sizes');
  const sizes = (sizesIndex === -1 ? '2,8,32' : process.argv[sizesIndex + 1]).split(',').map(Number);
  if (!(await measureHereOrInVm('lab-cost'))) return;
  const dir = await mkdtemp(join(tmpdir(), 'lvslab-bench-'));
  try {
    const rows: Row[] = [];
    for (const size of sizes) rows.push(await measure(size, dir));
    const where = process.env.LVSLAB_IN_VM === '1' ? 'inside the lvslab microVM (2 vCPUs, software emulation unless KVM was used)' : 'on this host';
    console.log(`lvslab up/down against a naive one-process-per-command script, DR labs, measured ${where}:\n`);
    console.log(table(rows));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
