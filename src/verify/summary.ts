/**
 * One row of `lvslab demo`: what a verified lab showed, side by side with the other modes.
 * Pure: built from the observation and the judged checks.
 */
import { sourceNatAddress, type Family, type Lab } from '../model/lab.js';
import { viewFamily } from '../model/family-view.js';
import { longestGap, SPANNING_BYTES, type FailoverObservation } from './failover.js';
import { directorReplyBytes, observedPaths, type ObservedHop, type ObservedPaths } from './judge.js';
import type { Observation } from './observe.js';
import type { CheckResult } from './result.js';

export interface ModeSummary {
  lab: string;
  mode: Lab['mode'];
  family: Family;
  requestPath: string;
  replyPath: string;
  /** Share of the 1 MiB replies the director sent on toward the client, 0..1; undefined when none completed. */
  directorShare?: number;
  /** The peer address the real server saw, and whose address it is. */
  realServerSaw: string;
  portMapping: string;
  passed: number;
  checks: number;
  paths?: ObservedPaths;
}

function pathText(hops: ObservedHop[] | undefined): string {
  if (!hops || hops.length === 0) return '(not observed)';
  return [hops[0].from, ...hops.map((h) => `${h.carried ? '' : '~'}${h.to}`)].join(' -> ');
}

export function summarize(lab: Lab, obs: Observation, results: CheckResult[]): ModeSummary {
  const paths = observedPaths(lab, obs);
  const firstClient = lab.clients[0];
  const seen = obs.answers
    .get(firstClient.name)
    ?.find((a) => a.ok && a.seenPeer)
    ?.seenPeer?.replace(/:\d+$/, '');
  const owner = seen === firstClient.interfaces[0].address ? 'the client' : seen === sourceNatAddress(lab) ? 'the director' : 'someone else';
  const mapped = lab.services.filter((s) => s.members.some((m) => m.port !== s.port)).map((s) => `${s.port} -> ${s.members[0].port}`);
  const total = obs.transfers.reduce((n, t) => n + t.bytes, 0);
  return {
    lab: lab.name,
    mode: lab.mode,
    family: viewFamily(lab),
    requestPath: pathText(paths?.request),
    replyPath: pathText(paths?.reply),
    directorShare: total > 0 ? directorReplyBytes(lab, obs) / total : undefined,
    realServerSaw: seen ? `${seen} (${owner})` : '(no answer)',
    portMapping: mapped.length ? mapped.join(', ') : 'none',
    passed: results.filter((r) => r.ok).length,
    checks: results.length,
    paths,
  };
}

export function renderSummaryTable(rows: ModeSummary[]): string {
  const header = ['mode', 'request path', 'reply path', "director's share of reply bytes", 'real server saw', 'port mapping', 'checks'];
  const cells = rows.map((r) => [
    `${r.mode.toUpperCase()}${r.family === 'ipv6' ? ' (IPv6)' : ''}`,
    r.requestPath,
    r.replyPath,
    r.directorShare === undefined ? '-' : `${(r.directorShare * 100).toFixed(r.directorShare < 0.1 ? 2 : 0)}%`,
    r.realServerSaw,
    r.portMapping,
    `${r.passed}/${r.checks}`,
  ]);
  return alignedTable(header, cells);
}

/** Columns two spaces apart, each as wide as its widest cell, a dashed rule under the header. */
function alignedTable(header: string[], cells: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The HA row of `lvslab demo`: a director pair's failover, as verify measured it. */
export interface HaSummary {
  lab: string;
  mode: Lab['mode'];
  /** From the master's link going down to the backup holding the VIP; undefined when it never did. */
  takeoverMs?: number;
  /** The longest time clients got no answer through the VIP. */
  outageMs: number;
  /** The download under way at the failover: how much arrived, and through which real server. */
  download: string;
  passed: number;
  checks: number;
}

export function summarizeFailover(lab: Lab, obs: FailoverObservation, results: CheckResult[]): HaSummary {
  const d = obs.download;
  return {
    lab: lab.name,
    mode: lab.mode,
    takeoverMs: obs.takeoverMs,
    outageMs: longestGap(obs.probes).ms,
    // The body is the padding asked for plus the service's first line.
    download:
      !d.error && d.bytes >= SPANNING_BYTES
        ? `intact: all ${SPANNING_BYTES} bytes`
        : `broken: ${Math.min(d.bytes, SPANNING_BYTES)} of ${SPANNING_BYTES} bytes${d.error ? `, ${d.error}` : ''}`,
    passed: results.filter((r) => r.ok).length,
    checks: results.length,
  };
}

export function renderHaTable(row: HaSummary): string {
  const header = ['HA', 'failover (master link down -> backup holds the VIP)', 'client-visible outage', 'download across the failover', 'checks'];
  const cells = [
    `${row.mode.toUpperCase()} pair (${row.lab})`,
    row.takeoverMs === undefined ? 'no takeover' : `${(row.takeoverMs / 1000).toFixed(1)} s`,
    `${(row.outageMs / 1000).toFixed(1)} s`,
    row.download,
    `${row.passed}/${row.checks}`,
  ];
  return alignedTable(header, [cells]);
}
