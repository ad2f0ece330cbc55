/**
 * Stage 5, verify (live): probes a running lab from every client and judges the answers.
 */
import type { Lab } from '../model/lab.js';
import type { CommandRunner } from '../apply/runner.js';
import { judge } from './judge.js';
import { observeLab } from './observe.js';
import type { CheckResult } from './result.js';

/** Observes the lab while traffic crosses it, then judges what was seen. */
export async function verifyLab(lab: Lab, runner: CommandRunner): Promise<CheckResult[]> {
  return judge(lab, await observeLab(lab, runner));
}
