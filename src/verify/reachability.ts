/**
 * The basic checks every mode shares: the service answers through the VIP from every client, and
 * every real server with weight > 0 serves. Pure: they judge probe answers, captured or live.
 */
import { hostPort, type Lab, type Service } from '../model/lab.js';
import type { ProbeAnswer } from '../model/observation.js';
import type { ProbeTarget } from './probe-argv.js';
import type { CheckResult } from './result.js';

/** Schedulers that spread consecutive connections of one client over every member. */
const SPREADING = new Set(['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq']);

export function spreads(service: Service): boolean {
  return SPREADING.has(service.scheduler) && !service.persistence;
}

function activeMembers(service: Service) {
  return service.members.filter((m) => m.weight > 0);
}

/** How many requests show the spread: two rounds, or one full wrr cycle (the sum of weights). */
export function requestCount(service: Service): number {
  const members = activeMembers(service);
  if (service.scheduler === 'wrr' && spreads(service))
    return Math.max(
      2,
      members.reduce((n, m) => n + m.weight, 0),
    );
  return Math.max(2, 2 * members.length);
}

export function serviceLabel(service: Service): string {
  return `${service.protocol} ${hostPort(service.vip, service.port)}`;
}

export function probeTargets(lab: Lab): ProbeTarget[] {
  return lab.services.map((s) => ({ protocol: s.protocol, vip: s.vip, port: s.port, count: requestCount(s) }));
}

function tally(answers: ProbeAnswer[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of answers) if (a.ok && a.node) counts.set(a.node, (counts.get(a.node) ?? 0) + 1);
  return counts;
}

function formatTally(counts: Map<string, number>): string {
  return counts.size === 0
    ? 'no real server answered'
    : [...counts]
        .sort()
        .map(([n, c]) => `${n}: ${c}`)
        .join(', ');
}

export function reachabilityChecks(lab: Lab, service: Service, client: string, answers: ProbeAnswer[]): CheckResult[] {
  const label = serviceLabel(service);
  const answered = answers.filter((a) => a.ok);
  const firstError = answers.find((a) => !a.ok)?.error;
  const results: CheckResult[] = [
    {
      name: `${label} answers ${client} through the VIP`,
      where: `${client} -> ${service.vip}`,
      expected: `${answers.length}/${answers.length} requests answered`,
      observed: `${answered.length}/${answers.length} answered${firstError ? ` (first failure: ${firstError})` : ''}`,
      ok: answers.length > 0 && answered.length === answers.length,
    },
  ];
  const sources = [...new Set(answered.map((a) => a.replyFrom))];
  results.push({
    name: `${label}: ${client} only ever sees the VIP as its peer`,
    where: `${client}`,
    expected: `${service.vip}:${service.port}`,
    observed: sources.length ? sources.join(', ') : 'no reply',
    ok: sources.length === 1 && sources[0] === `${service.vip}:${service.port}`,
  });
  const counts = tally(answered);
  const strangers = [...counts.keys()].filter((n) => !service.members.some((m) => m.realServer === n));
  if (spreads(service)) {
    const missing = activeMembers(service)
      .filter((m) => !counts.has(m.realServer))
      .map((m) => m.realServer);
    results.push({
      name: `${label}: every real server with weight > 0 serves ${client}`,
      where: missing.length
        ? missing.join(', ')
        : activeMembers(service)
            .map((m) => m.realServer)
            .join(', '),
      expected: activeMembers(service)
        .map((m) => m.realServer)
        .join(', '),
      observed: formatTally(counts) + (missing.length ? `; never answered: ${missing.join(', ')}` : ''),
      ok: answered.length > 0 && missing.length === 0 && strangers.length === 0,
    });
  } else {
    results.push({
      name: `${label}: ${client} is kept on one real server (${service.persistence ? `persistence ${service.persistence} s` : service.scheduler})`,
      where: client,
      expected: 'one real server of the service',
      observed: formatTally(counts),
      ok: counts.size === 1 && strangers.length === 0,
    });
  }
  return results;
}
