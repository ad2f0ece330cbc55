/**
 * Stage 5, verify (live): probes a running lab from every client and judges the answers; a lab with
 * keepalived then has its health checks proven (health.ts).
 */
import type { Lab } from '../model/lab.js';
import type { CommandRunner } from '../apply/runner.js';
import { LinuxHost, type HostView } from '../apply/host.js';
import { judgeHealth, observeHealth } from './health.js';
import { judge } from './judge.js';
import { observeLab } from './observe.js';
import type { CheckResult } from './result.js';

/** Observes the lab while traffic crosses it, then judges what was seen; with keepalived, then its health checks. */
export async function verifyLab(lab: Lab, runner: CommandRunner, host: HostView = new LinuxHost()): Promise<CheckResult[]> {
  const results = judge(lab, await observeLab(lab, runner));
  const health = await observeHealth(lab, runner, host);
  return health ? [...results, ...judgeHealth(lab, health)] : results;
}
