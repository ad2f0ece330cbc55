/**
 * The high-availability part of `lvslab bench` (issue 12): a DR director pair failing over again and again
 * (the master's link down under load, then back), per VRRP advert interval, with the sync daemon and without;
 * and a real server's removal from the table against keepalived's check interval. Each run is verify's own
 * measurement (observeFailover, observeHealth), so the figures mean what verify's checks mean.
 */
import { parseTopology } from '../load/load-topology.js';
import { checkBudget, type Lab } from '../model/lab.js';
import { progress } from '../report/progress.js';
import { machineLifecycle as lifecycle } from '../session/lab-machine.js';
import { validateLoaded } from '../validate/validate-topology.js';
import { downloadUnderWay, judgeFailover, longestGap, SPANNING_BYTES, takeoverBudget, observeFailover } from '../verify/failover.js';
import { observeHealth } from '../verify/health.js';
import type { BenchConfig } from './bench-config.js';
import type { FailoverRun, HaResults, RemovalRun } from './bench-results.js';
import { withBenchLab } from './with-bench-lab.js';

/** A DR pair with two real servers and one TCP service, built from YAML text like a user's file. */
export function haPairText(advertInterval: number, sync: boolean, checkInterval = 1): string {
  const name = `bha-${String(advertInterval).replace('.', '')}-${sync ? 's' : 'n'}-${String(checkInterval).replace('.', '')}`;
  return [
    `name: ${name}`,
    'mode: dr',
    'directors: 2',
    'realServers: 2',
    'keepalived:',
    `  vrrp: { routerId: 60, advertInterval: ${advertInterval} }`,
    `  sync: ${sync}`,
    `  check: { interval: ${checkInterval}, timeout: 2, retries: 1, retryDelay: 0.5 }`,
    'services:',
    '  - { protocol: tcp, port: 80 }',
    '',
  ].join('\n');
}

export function haPair(advertInterval: number, sync: boolean, checkInterval = 1): Lab {
  return validateLoaded(parseTopology(haPairText(advertInterval, sync, checkInterval), `(bench: DR pair, advert ${advertInterval} s)`));
}

async function failovers(lab: Lab, runs: number): Promise<FailoverRun[]> {
  const { runner, host } = lifecycle();
  const vrrp = lab.keepalived!.vrrp!;
  const results: FailoverRun[] = [];
  for (let i = 1; i <= runs; i++) {
    const obs = await progress.task(`${lab.name}: failover ${i}/${runs} (the master's link down under load, then back)`, () =>
      observeFailover(lab, runner, host),
    );
    if (!obs) throw new Error(`${lab.name} is not a director pair`);
    const checks = judgeFailover(lab, obs);
    results.push({
      advertInterval: vrrp.advertInterval,
      sync: vrrp.sync,
      takeoverMs: obs.takeoverMs,
      takeoverBudgetMs: Math.round(takeoverBudget(lab) * 1000),
      outageMs: longestGap(obs.probes).ms,
      downloadIntact: obs.download.error === undefined && obs.download.bytes >= SPANNING_BYTES,
      downloadUnderWay: downloadUnderWay(obs),
      downloadEnd: `${obs.download.bytes} bytes${obs.download.error ? `, ${obs.download.error}` : ''}`,
      checksPassed: checks.filter((c) => c.ok).length,
      checks: checks.length,
    });
  }
  return results;
}

async function removals(lab: Lab, runs: number): Promise<RemovalRun[]> {
  const { runner, host } = lifecycle();
  const check = lab.services[0].check!;
  const results: RemovalRun[] = [];
  for (let i = 1; i <= runs; i++) {
    const obs = await progress.task(`${lab.name}: a real server's service killed (${i}/${runs}), then restored`, () => observeHealth(lab, runner, host));
    if (!obs) throw new Error(`${lab.name} has no health check`);
    results.push({ checkInterval: check.interval, budgetMs: Math.round(checkBudget(check) * 1000), removedMs: obs.removed?.startMs });
  }
  return results;
}

export async function runHaBench(config: BenchConfig['ha']): Promise<HaResults> {
  const runs: FailoverRun[] = [];
  for (const advert of config.adverts) {
    const lab = haPair(advert, true);
    runs.push(...(await withBenchLab(lab, () => failovers(lab, config.failovers))));
  }
  if (config.unsyncedFailovers > 0) {
    const lab = haPair(config.adverts[0], false);
    runs.push(...(await withBenchLab(lab, () => failovers(lab, config.unsyncedFailovers))));
  }
  const removed: RemovalRun[] = [];
  for (const interval of config.checkIntervals) {
    const lab = haPair(config.adverts[0], true, interval);
    removed.push(...(await withBenchLab(lab, () => removals(lab, config.removals))));
  }
  return { failovers: runs, removals: removed };
}
