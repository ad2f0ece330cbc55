/**
 * Stage 5, verify (live): probes a running lab from every client and judges the answers; a lab with
 * keepalived then has its health checks proven (health.ts), and a director pair its failover (failover.ts).
 */
import type { Lab } from '../model/lab.js';
import { familiesOf, familyView } from '../model/family-view.js';
import type { CommandRunner } from '../apply/runner.js';
import type { HostView } from '../apply/host.js';
import { judgeFailover, observeFailover } from './failover.js';
import { judgeHealth, observeHealth } from './health.js';
import { judge } from './judge.js';
import { observeLab } from './observe.js';
import type { CheckResult } from './result.js';

/** The parts of a verify: the traffic checks every lab gets, keepalived's health checks, a pair's failover. */
export const VERIFY_PARTS = ['traffic', 'health', 'failover'] as const;
export type VerifyPart = (typeof VERIFY_PARTS)[number];

/** Observes the lab while traffic crosses it and judges what was seen; then keepalived's parts, where the lab has them. */
export async function verifyLab(lab: Lab, runner: CommandRunner, host: HostView, parts: readonly VerifyPart[] = VERIFY_PARTS): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  // A dual-stack lab is verified once per family, each family's view proving the same promises.
  if (parts.includes('traffic'))
    for (const family of familiesOf(lab)) results.push(...judge(familyView(lab, family), await observeLab(familyView(lab, family), runner)));
  const health = parts.includes('health') ? await observeHealth(lab, runner, host) : undefined;
  if (health) results.push(...judgeHealth(lab, health));
  const failover = parts.includes('failover') ? await observeFailover(lab, runner, host) : undefined;
  if (failover) results.push(...judgeFailover(lab, failover));
  return results;
}
