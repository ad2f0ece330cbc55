/**
 * `lvslab bench` for people: Markdown tables (they paste into docs/benchmarks.md as they are), the
 * shape checks, and the SVG plots. Pure: everything comes from the results.
 */
import { ratioOverNat, shapeChecks, type BenchResults } from './bench-results.js';
import { MODES } from '../model/lab.js';
import { SPANNING_BYTES } from '../verify/failover.js';
import { barChart, lineChart } from '../report/plot.js';

const kib = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function offloadTable(results: BenchResults): string[] {
  if (results.offload.length === 0) return [];
  return [
    `### Director offload: what the director carries per request (${results.config.offloadServers} real servers)`,
    '',
    '| mode | reply | director bytes / request | director packets / request | director bytes / reply size |',
    '|---|---:|---:|---:|---:|',
    ...results.offload.map(
      (r) =>
        `| ${r.mode}${r.family === 'ipv6' ? ' (IPv6)' : ''} | ${kib(r.replyBytes)} | ${Math.round(r.directorBytes)} | ${r.directorPackets.toFixed(1)} | ` +
        `${(r.directorBytes / r.replyBytes).toFixed(3)} |`,
    ),
    '',
  ];
}

function throughputTable(results: BenchResults): string[] {
  const { throughput, config } = results;
  if (throughput.length === 0) return [];
  const counts = config.throughputServers;
  const cell = (mode: string, n: number) => throughput.find((r) => r.mode === mode && r.servers === n)?.mbit.toFixed(1) ?? '-';
  const ratio = (mode: 'dr' | 'tun', n: number) => ratioOverNat(throughput, mode, n)?.toFixed(1) ?? '-';
  return [
    `### Cluster throughput behind a bottleneck director (Mbit/s; director's links ${config.rates.directorMbit} Mbit/s, each real server's ` +
      `${config.rates.serverMbit} Mbit/s; ${config.clients * config.connectionsPerClient} parallel downloads from ${config.clients} ` +
      `clients, ${config.seconds} ` +
      `` +
      `s)`,
    '',
    `| mode | ${counts.map((n) => `${n} RS`).join(' | ')} |`,
    `|---|${counts.map(() => '---:').join('|')}|`,
    ...MODES.filter((m) => config.modes.includes(m)).map((m) => `| ${m} | ${counts.map((n) => cell(m, n)).join(' | ')} |`),
    `| **DR / NAT** | ${counts.map((n) => `**${ratio('dr', n)}x**`).join(' | ')} |`,
    `| **TUN / NAT** | ${counts.map((n) => `**${ratio('tun', n)}x**`).join(' | ')} |`,
    '',
  ];
}

function scaleTable(results: BenchResults): string[] {
  if (results.scale.length === 0) return [];
  return [
    '### Lab cost at scale (DR labs, one client)',
    '',
    '| real servers | up | verify | down | processes (up / verify / down) | checks passed |',
    '|---:|---:|---:|---:|---|---:|',
    ...results.scale.map(
      (r) =>
        `| ${r.servers} | ${seconds(r.upMs)} | ${seconds(r.verifyMs)} | ${seconds(r.downMs)} | ${r.upProcesses} / ${r.verifyProcesses} / ` +
        `${r.downProcesses} | ` +
        `` +
        `` +
        `${r.checksPassed}/${r.checks} |`,
    ),
    '',
  ];
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function haTable(results: BenchResults): string[] {
  const { failovers, removals } = results.ha;
  if (failovers.length === 0 && removals.length === 0) return [];
  const spread = (values: Array<number | undefined>) => {
    const seen = values.filter((v): v is number => v !== undefined);
    const missing = values.length - seen.length;
    if (seen.length === 0) return 'never';
    return `${seconds(median(seen)!)} / ${seconds(Math.max(...seen))}${missing ? ` (${missing} never)` : ''}`;
  };
  const groups = [...new Set(failovers.map((f) => `${f.advertInterval}|${f.sync}`))].map((key) => {
    const [advert, sync] = key.split('|');
    return failovers.filter((f) => `${f.advertInterval}|${f.sync}` === key).map((f) => ({ ...f, advert, sync: sync === 'true' }));
  });
  const intervals = [...new Set(removals.map((r) => r.checkInterval))];
  return [
    '### High availability: a DR director pair failing over, and health checks (2 real servers)',
    '',
    `Each failover: the master's link goes down while a client probes the VIP every 100 ms and a ${SPANNING_BYTES / 1e6} MB download ` +
      'is under way, then comes back.',
    '',
    '| advert interval | sync | failovers | takeover, median / max | client-visible outage, median / max | downloads intact | checks passed |',
    '|---:|---|---:|---:|---:|---:|---:|',
    ...groups.map(
      (g) =>
        `| ${g[0].advert} s | ${g[0].sync ? 'yes' : 'no'} | ${g.length} | ${spread(g.map((f) => f.takeoverMs))} | ${spread(g.map((f) => f.outageMs))} | ` +
        `${g.filter((f) => f.downloadIntact).length}/${g.length} | ${g.reduce((n, f) => n + f.checksPassed, 0)}/${g.reduce((n, f) => n + f.checks, 0)} |`,
    ),
    '',
    '| check interval | budget (interval + timeout + retries x (retryDelay + timeout)) | runs | removal, median / max |',
    '|---:|---:|---:|---:|',
    ...intervals.map((interval) => {
      const runs = removals.filter((r) => r.checkInterval === interval);
      return `| ${interval} s | ${seconds(runs[0].budgetMs)} | ${runs.length} | ${spread(runs.map((r) => r.removedMs))} |`;
    }),
    '',
  ];
}

export function renderBenchReport(results: BenchResults): string {
  const checks = shapeChecks(results);
  return [
    `Measured ${results.where}, kernel ${results.kernel}, in ${results.seconds} s${results.config.quick ? ' (--quick)' : ''}.`,
    '',
    ...offloadTable(results),
    ...throughputTable(results),
    ...scaleTable(results),
    ...haTable(results),
    '### The shape the LVS claim predicts',
    '',
    ...checks.map((c) => `- ${c.ok ? 'ok' : 'NOT MET'}: ${c.name} (${c.observed})`),
    '',
  ].join('\n');
}

export interface Plot {
  file: string;
  svg: string;
}

export function benchPlots(results: BenchResults): Plot[] {
  const { throughput, offload, scale, config } = results;
  const plots: Plot[] = [];
  const modes = MODES.filter((m) => config.modes.includes(m));
  if (throughput.length > 0) {
    plots.push({
      file: 'throughput.svg',
      svg: lineChart({
        title: 'Cluster throughput behind a rate-limited director',
        xLabel: 'real servers',
        yLabel: 'aggregate Mbit/s',
        categories: config.throughputServers.map(String),
        series: modes.map((m) => ({
          name: m.toUpperCase(),
          values: config.throughputServers.map((n) => throughput.find((r) => r.mode === m && r.servers === n)?.mbit),
        })),
        guide: { value: config.rates.directorMbit, label: "director's limit" },
      }),
    });
  }
  if (offload.length > 0) {
    const sizes = [...new Set(offload.map((r) => r.replyBytes))];
    plots.push({
      file: 'offload.svg',
      svg: barChart({
        title: "Director's bytes per request, as a multiple of the reply",
        xLabel: 'reply size',
        yLabel: 'director bytes / reply bytes',
        categories: sizes.map(kib),
        series: modes.map((m) => ({
          name: m.toUpperCase(),
          values: sizes.map((b) => {
            const r = offload.find((o) => o.mode === m && o.family === 'ipv4' && o.replyBytes === b);
            return r && r.directorBytes / r.replyBytes;
          }),
        })),
      }),
    });
  }
  if (scale.length > 0) {
    plots.push({
      file: 'lab-cost.svg',
      svg: lineChart({
        title: 'Lab cost by number of real servers',
        xLabel: 'real servers',
        yLabel: 'seconds',
        categories: scale.map((r) => String(r.servers)),
        series: [
          { name: 'up', values: scale.map((r) => r.upMs / 1000) },
          { name: 'verify', values: scale.map((r) => r.verifyMs / 1000) },
          { name: 'down', values: scale.map((r) => r.downMs / 1000) },
        ],
      }),
    });
  }
  return plots;
}
