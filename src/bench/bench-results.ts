/**
 * What `lvslab bench` found, as data (it crosses the microVM boundary as JSON), and the shape the LVS
 * claim predicts, checked on it. Pure.
 */
import type { Family, Mode } from '../model/lab.js';
import { lvsMode } from '../modes/index.js';
import type { BenchConfig } from './bench-config.js';

export interface OffloadRow {
  mode: Mode;
  /** The lab's family: the IPv6 rows come from IPv6 labs of the same shape. */
  family: Family;
  replyBytes: number;
  requests: number;
  /** Per request: bytes and packets through the director's links, in and out together. */
  directorBytes: number;
  directorPackets: number;
  /** Per request: bytes the client received. */
  clientBytes: number;
}

export interface ThroughputRow {
  mode: Mode;
  servers: number;
  /** Aggregate of every client's downloads, Mbit/s. */
  mbit: number;
  /** Downloads that failed (a healthy lab has none). */
  errors: number;
  /** Connections each real server took. */
  perServer: Record<string, number>;
}

export interface ScaleRow {
  servers: number;
  upMs: number;
  upProcesses: number;
  verifyMs: number;
  verifyProcesses: number;
  checksPassed: number;
  checks: number;
  downMs: number;
  downProcesses: number;
}

/** One failover of a DR pair: the master's link down under load (verify's measurement), then back. */
export interface FailoverRun {
  advertInterval: number;
  sync: boolean;
  /** From the link going down to the first read that saw the backup hold the VIP; undefined: it never did. */
  takeoverMs?: number;
  takeoverBudgetMs: number;
  /** The longest time clients got no answer through the VIP. */
  outageMs: number;
  /** The download under way at the failover (verify's, SPANNING_BYTES) arrived whole. */
  downloadIntact: boolean;
  /** It was still arriving when the link went down (one that ended before crossed no failover). */
  downloadUnderWay: boolean;
  /** How the download ended, as curl told it: its bytes, and its error when it had one. */
  downloadEnd?: string;
  checksPassed: number;
  checks: number;
}

/** One real server's removal: its service killed, keepalived's table read until it is gone. */
export interface RemovalRun {
  checkInterval: number;
  budgetMs: number;
  /** Undefined: it stayed past the budget (and the reads' overtime). */
  removedMs?: number;
}

export interface HaResults {
  failovers: FailoverRun[];
  removals: RemovalRun[];
}

export interface BenchResults {
  config: BenchConfig;
  /** Where it was measured: "inside the lvslab microVM (TCG)" or "on this host". */
  where: string;
  kernel: string;
  offload: OffloadRow[];
  throughput: ThroughputRow[];
  scale: ScaleRow[];
  ha: HaResults;
  seconds: number;
}

export interface ShapeCheck {
  name: string;
  ok: boolean;
  observed: string;
}

/** The ratio a mode reaches over NAT at the same number of real servers. */
export function ratioOverNat(rows: ThroughputRow[], mode: Mode, servers: number): number | undefined {
  // NAT is the claim's baseline: every ratio is over NAT at the same number of real servers.
  const nat = rows.find((r) => r.mode === 'nat' && r.servers === servers);
  const other = rows.find((r) => r.mode === mode && r.servers === servers);
  return nat && other && nat.mbit > 0 ? other.mbit / nat.mbit : undefined;
}

/**
 * The claim, as checks: DR and TUN at 4 real servers reach at least 3x NAT; NAT and FULLNAT stay at
 * the director's limit; the director carries the replies in NAT and FULLNAT and not in DR and TUN;
 * no download failed.
 */
export function shapeChecks(results: BenchResults): ShapeCheck[] {
  return [...(results.config.parts.includes('cluster') ? clusterChecks(results) : []), ...(results.config.parts.includes('ha') ? haChecks(results) : [])];
}

function clusterChecks(results: BenchResults): ShapeCheck[] {
  const { throughput, offload, config } = results;
  const checks: ShapeCheck[] = [];
  const at = Math.max(...config.throughputServers.filter((n) => n <= 4));
  const bypass = (mode: Mode) => lvsMode(mode).facts.repliesBypassDirector;
  for (const mode of config.modes.filter(bypass)) {
    const ratio = ratioOverNat(throughput, mode, at);
    checks.push({
      name: `${mode} at ${at} real servers reaches at least 3x nat's throughput`,
      ok: ratio !== undefined && ratio >= 3,
      observed: ratio === undefined ? 'not measured' : `${ratio.toFixed(1)}x`,
    });
  }
  const limit = config.rates.directorMbit;
  // Every configured row is checked: a row that was never measured fails instead of vanishing.
  for (const mode of config.modes.filter((m) => !bypass(m))) {
    for (const servers of config.throughputServers) {
      const row = throughput.find((r) => r.mode === mode && r.servers === servers);
      checks.push({
        name: `${mode} with ${servers} real server(s) stays at the director's limit (${limit} Mbit/s, within 60-115%)`,
        ok: row !== undefined && row.mbit >= limit * 0.6 && row.mbit <= limit * 1.15,
        observed: row ? `${row.mbit.toFixed(1)} Mbit/s` : 'not measured',
      });
    }
  }
  const largest = Math.max(...config.replySizes.map((r) => r.bytes));
  for (const mode of config.modes) {
    const row = offload.find((r) => r.mode === mode && r.family === 'ipv4' && r.replyBytes === largest);
    const share = row ? row.directorBytes / row.replyBytes : undefined;
    const carries = !bypass(mode);
    checks.push({
      name: carries
        ? `${mode}: the director carries each reply (in and out: at least 2x its size)`
        : `${mode}: the director carries under 10% of a reply's size`,
      ok: share !== undefined && (carries ? share >= 2 : share < 0.1),
      observed: share === undefined ? 'not measured' : `${share.toFixed(3)}x the reply size`,
    });
  }
  // The same promise over IPv6, for the modes measured there.
  for (const mode of config.offload6Modes) {
    const row = offload.find((r) => r.mode === mode && r.family === 'ipv6' && r.replyBytes === largest);
    const share = row ? row.directorBytes / row.replyBytes : undefined;
    const carries = !bypass(mode);
    checks.push({
      name: carries
        ? `${mode} over IPv6: the director carries each reply (at least 2x its size)`
        : `${mode} over IPv6: the director carries under 10% of a reply's size`,
      ok: share !== undefined && (carries ? share >= 2 : share < 0.1),
      observed: share === undefined ? 'not measured' : `${share.toFixed(3)}x the reply size`,
    });
  }
  const errors = throughput.reduce((n, r) => n + r.errors, 0);
  checks.push({ name: 'every download of the throughput runs completed without error', ok: errors === 0, observed: `${errors} failed` });
  return checks;
}

/** The HA claim: removal within the check budget, takeover within the VRRP budget, sync keeps a download, no sync loses it. */
/** How the downloads that broke ended, so that a red shape check says why (" (broken: 2891916 bytes, curl exit status 18)"). */
/** Downloads over before the link went down: they crossed no failover, so they count for nothing. */
const over = (runs: FailoverRun[]) => {
  const early = runs.filter((f) => !f.downloadUnderWay).length;
  return early ? `; ${early} ended before the fault` : '';
};
/** Without a takeover a download breaks for want of any director: that proves nothing of sync. */
const untaken = (runs: FailoverRun[]) => {
  const none = runs.filter((f) => f.takeoverMs === undefined).length;
  return none ? `; ${none} without a takeover` : '';
};
const brokenEnds = (runs: FailoverRun[]) => (runs.length ? ` (broken: ${runs.map((f) => f.downloadEnd ?? 'not told').join('; ')})` : '');

function haChecks({ ha, config }: BenchResults): ShapeCheck[] {
  const ms = (n: number | undefined) => (n === undefined ? 'never' : `${(n / 1000).toFixed(1)} s`);
  const synced = ha.failovers.filter((f) => f.sync);
  const unsynced = ha.failovers.filter((f) => !f.sync);
  const late = ha.removals.filter((r) => r.removedMs === undefined || r.removedMs > r.budgetMs);
  const slow = synced.filter((f) => f.takeoverMs === undefined || f.takeoverMs > f.takeoverBudgetMs);
  const expected = config.ha.adverts.length * config.ha.failovers;
  return [
    {
      name:
        `a dead real server leaves the table within its check budget ` +
        `(${config.ha.removals} run(s) per check interval ${config.ha.checkIntervals.join(', ')} s)`,
      ok: ha.removals.length === config.ha.removals * config.ha.checkIntervals.length && late.length === 0,
      observed: ha.removals.map((r) => `${ms(r.removedMs)} of ${ms(r.budgetMs)}`).join(', ') || 'not measured',
    },
    {
      name: `the backup takes the VIP within the VRRP budget in every failover (${expected} with sync)`,
      ok: synced.length === expected && slow.length === 0,
      observed: synced.map((f) => `${ms(f.takeoverMs)} of ${ms(f.takeoverBudgetMs)}`).join(', ') || 'not measured',
    },
    {
      name: 'with sync, the download under way at a failover arrives whole every time',
      ok: synced.length > 0 && synced.every((f) => f.downloadIntact && f.downloadUnderWay),
      observed: synced.length
        ? `${synced.filter((f) => f.downloadIntact).length}/${synced.length} intact${brokenEnds(synced.filter((f) => !f.downloadIntact))}${over(synced)}`
        : 'not measured',
    },
    {
      name: 'without sync, the download under way at a failover breaks every time',
      ok: unsynced.length === config.ha.unsyncedFailovers && unsynced.every((f) => !f.downloadIntact && f.downloadUnderWay && f.takeoverMs !== undefined),
      observed: unsynced.length
        ? `${unsynced.filter((f) => !f.downloadIntact).length}/${unsynced.length} broken${over(unsynced)}${untaken(unsynced)}`
        : 'not measured',
    },
  ];
}
