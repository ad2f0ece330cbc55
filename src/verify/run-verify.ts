/**
 * Stage 5, verify (live): probes a running lab from every client and judges the answers.
 */
import type { Lab } from '../model/lab.js';
import { PROBE_ENTRY } from '../model/package-root.js';
import type { CommandRunner } from '../apply/runner.js';
import type { ProbeAnswer, ProbeTarget } from './probe.js';
import { probeTargets, reachabilityChecks } from './reachability.js';
import type { CheckResult } from './result.js';

/** Runs the probe inside a client's namespace and returns its answers. */
export async function probeFrom(runner: CommandRunner, namespace: string, targets: ProbeTarget[]): Promise<ProbeAnswer[]> {
  const result = await runner.run(['ip', 'netns', 'exec', namespace, process.execPath, PROBE_ENTRY, JSON.stringify(targets)], { timeout: 120_000 });
  if (result.exitCode !== 0) throw new Error(`the probe failed in ${namespace}: ${result.stderr.trim() || `exit status ${result.exitCode}`}`);
  return JSON.parse(result.stdout) as ProbeAnswer[];
}

export async function verifyLab(lab: Lab, runner: CommandRunner): Promise<CheckResult[]> {
  const targets = probeTargets(lab);
  const results: CheckResult[] = [];
  for (const client of lab.clients) {
    const answers = await probeFrom(runner, client.namespace, targets);
    for (const service of lab.services) {
      const mine = answers.filter((a) => a.protocol === service.protocol && a.target === `${service.vip}:${service.port}`);
      results.push(...reachabilityChecks(lab, service, client.name, mine));
    }
  }
  return results;
}
