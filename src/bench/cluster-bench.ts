/**
 * The measurements of `lvslab bench`, on real labs (root and IPVS needed): what the director carries
 * per request, the cluster's throughput behind a rate-limited director, what labs cost at scale, and a
 * director pair's failovers and health checks (ha-bench.ts).
 */
import { labDown, labUp } from '../apply/lab-lifecycle.js';
import { runHaBench } from './ha-bench.js';
import { withBenchLab } from './with-bench-lab.js';
import { machineLifecycle as lifecycle } from '../session/lab-machine.js';
import type { CommandRunner } from '../apply/runner.js';
import { familyOf, hostPort, type Lab } from '../model/lab.js';
import { familyView } from '../model/family-view.js';
import { LOAD_CLIENT_ENTRY, SERVICE_COMMAND } from '../model/package-root.js';
import { progress } from '../report/progress.js';
import { readCounters } from '../verify/observe.js';
import { machineNowMs } from '../verify/failover.js';
import { verifyLab } from '../verify/run-verify.js';
import { benchLab } from './bench-topology.js';
import type { BenchConfig } from './bench-config.js';
import type { BenchResults, OffloadRow, ScaleRow, ThroughputRow } from './bench-results.js';
import { limitCommands } from './link-limits.js';
import { timed } from './timed.js';
import type { LoadResult, LoadSpec } from './load-client.js';

/** Allowance for starting node in a client namespace before the load's window opens (0.3-0.5 s in the microVM). */
const CLIENT_START_SECONDS = 1.5;

async function must(runner: CommandRunner, argv: string[], input?: string): Promise<string> {
  const result = await runner.run(argv, { input, timeout: 120_000 });
  if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} failed (exit status ${result.exitCode}): ${result.stderr.trim()}`);
  return result.stdout;
}

/** Bytes and packets through the director's own links (in and out), so far. */
async function directorTotals(runner: CommandRunner, lab: Lab): Promise<{ bytes: number; packets: number }> {
  const links = (await readCounters(runner, lab)).get(lab.director.namespace)!;
  let bytes = 0;
  let packets = 0;
  for (const i of lab.director.interfaces) {
    const c = links.get(i.name)!;
    bytes += c.rxBytes + c.txBytes;
    packets += c.rxPackets + c.txPackets;
  }
  return { bytes, packets };
}

async function measureOffload(runner: CommandRunner, lab: Lab, config: BenchConfig): Promise<OffloadRow[]> {
  const service = lab.services[0];
  const rows: OffloadRow[] = [];
  for (const size of config.replySizes) {
    const url = `http://${hostPort(service.vip, service.port)}/?bytes=${size.bytes}`;
    const urls = Array.from({ length: size.requests }, () => ['-o', '/dev/null', url]).flat();
    const before = await directorTotals(runner, lab);
    const out = await must(runner, [
      'ip',
      'netns',
      'exec',
      lab.clients[0].namespace,
      'curl',
      '-sS',
      '--fail',
      // No globbing: an IPv6 URL's brackets are the address's.
      '-g',
      '--max-time',
      '60',
      '-w',
      '%{size_download}\n',
      ...urls,
    ]);
    const after = await directorTotals(runner, lab);
    const received = out
      .trim()
      .split('\n')
      .reduce((n, line) => n + Number(line), 0);
    rows.push({
      mode: lab.mode,
      family: familyOf(service.vip),
      replyBytes: size.bytes,
      requests: size.requests,
      directorBytes: (after.bytes - before.bytes) / size.requests,
      directorPackets: (after.packets - before.packets) / size.requests,
      clientBytes: received / size.requests,
    });
  }
  return rows;
}

async function measureThroughput(runner: CommandRunner, lab: Lab, config: BenchConfig, retry = true): Promise<ThroughputRow> {
  for (const command of limitCommands(lab, config.rates)) await must(runner, command.argv, command.input);
  const service = lab.services[0];
  // A first Node start in a fresh guest reads Node and the client from the host share: seconds more than the
  // 1.5 s of a warm one, so the first mode's clients missed most of their window (measured: 0.6 Mbit/s for 5).
  await must(runner, ['ip', 'netns', 'exec', lab.clients[0].namespace, process.execPath, LOAD_CLIENT_ENTRY, '--warm-up']);
  // Node starts in about 1.5 s under emulation; the window opens after that and the warm-up, on the clock of the machine
  // the clients run on (a resident microVM's may be off this one's by seconds).
  const machineClock = (await machineNowMs(runner)) - Date.now();
  const windowStart = Date.now() + machineClock + (CLIENT_START_SECONDS + config.warmupSeconds) * 1000;
  const spec: LoadSpec = {
    vip: service.vip,
    port: service.port,
    connections: config.connectionsPerClient,
    windowStart,
    windowEnd: windowStart + config.seconds * 1000,
  };
  const results = await Promise.all(
    lab.clients.map(
      async (client) =>
        JSON.parse(await must(runner, ['ip', 'netns', 'exec', client.namespace, process.execPath, LOAD_CLIENT_ENTRY, JSON.stringify(spec)])) as LoadResult,
    ),
  );
  // A client that started after its window opened measured its own slow start: measured again, once.
  if (results.some((r) => r.lateMs > 0)) {
    const late = Math.max(...results.map((r) => r.lateMs));
    if (retry) {
      progress.note(`${lab.name}: a load client started ${late} ms into its window; measuring again`);
      return measureThroughput(runner, lab, config, false);
    }
    throw new Error(`${lab.name}: the load clients started ${late} ms into their window twice: the machine is too busy to measure throughput`);
  }
  const perServer: Record<string, number> = {};
  for (const r of results) for (const [node, n] of Object.entries(r.servers)) perServer[node] = (perServer[node] ?? 0) + n;
  return {
    mode: lab.mode,
    servers: lab.realServers.length,
    // Every client counted the same wall-clock window (each reports how long it actually counted).
    mbit: (results.reduce((sum, r) => sum + r.bytes, 0) * 8) / Math.max(...results.map((r) => r.seconds)) / 1e6,
    errors: results.reduce((n, r) => n + r.errors, 0),
    perServer,
  };
}

async function measureScale(servers: number): Promise<ScaleRow> {
  const lab = benchLab('dr', servers, 1);
  // A runner each (each call makes one), so that each phase counts the processes it spawned.
  const [upRunner, verifyRunner, downRunner] = [lifecycle().runner, lifecycle().runner, lifecycle().runner];
  const up = await progress.task(`${lab.name}: up`, () => timed(() => labUp(lab, { service: SERVICE_COMMAND }, { ...lifecycle(upRunner), recreate: true })));
  const verify = await progress
    .task(`${lab.name}: verify`, () => timed(() => verifyLab(lab, verifyRunner, lifecycle(verifyRunner).host)))
    .catch((error: unknown) => error as Error);
  const down = await progress.task(`${lab.name}: down`, () => timed(() => labDown(lab.name, lifecycle(downRunner))));
  if (verify instanceof Error) throw verify;
  return {
    servers,
    upMs: up.ms,
    upProcesses: upRunner.spawned,
    verifyMs: verify.ms,
    verifyProcesses: verifyRunner.spawned,
    checksPassed: verify.value.filter((r) => r.ok).length,
    checks: verify.value.length,
    downMs: down.ms,
    downProcesses: downRunner.spawned,
  };
}

/** The lab machine's kernel (a resident guest's, where lvslab runs on the host). */
async function kernelRelease(): Promise<string> {
  return (await lifecycle().runner.run(['uname', '-r'])).stdout.trim();
}

export async function runClusterBench(config: BenchConfig, where: string): Promise<BenchResults> {
  const started = performance.now();
  const offload: OffloadRow[] = [];
  const throughput: ThroughputRow[] = [];
  for (const mode of config.modes) {
    for (const servers of config.throughputServers) {
      const lab = benchLab(mode, servers, config.clients);
      await withBenchLab(lab, async (runner) => {
        if (servers === config.offloadServers) {
          offload.push(...(await progress.task(`${lab.name}: counting the director's bytes per request`, () => measureOffload(runner, lab, config))));
        }
        const row = await progress.task(
          `${lab.name}: director limited to ${config.rates.directorMbit} Mbit/s, real servers to ${config.rates.serverMbit}; ` +
            `${config.clients * config.connectionsPerClient} downloads`,
          () => measureThroughput(runner, lab, config),
        );
        progress.note(`${lab.name}: ${row.mbit.toFixed(1)} Mbit/s`);
        throughput.push(row);
      });
    }
  }
  for (const mode of config.offload6Modes) {
    const lab = benchLab(mode, config.offloadServers, 1, 'ipv6');
    await withBenchLab(lab, (runner) =>
      progress
        .task(`${lab.name}: counting the director's bytes per request over IPv6`, () => measureOffload(runner, familyView(lab, 'ipv6'), config))
        .then((rows) => void offload.push(...rows)),
    );
  }
  const scale: ScaleRow[] = [];
  for (const servers of config.scaleServers) scale.push(await measureScale(servers));
  const ha = await runHaBench(config.ha);
  return { config, where, kernel: await kernelRelease(), offload, throughput, scale, ha, seconds: Math.round((performance.now() - started) / 1000) };
}
