/**
 * The Vagrant path inside its guest: a bash script that runs named steps in order, each framed by
 * marker lines on stdout, and stops at the first that fails; and the parser that turns the guest's
 * output back into one result per step.
 */
import { quoteArgument } from '../plan/render-script.js';

export interface GuestStep {
  name: string;
  /** What the step is for, in the table. */
  title: string;
  /** Bash lines, run in a subshell with `set -e`. */
  script: string[];
}

export type StepStatus = 'passed' | 'failed' | 'not run';

export interface StepResult {
  name: string;
  title: string;
  status: StepStatus;
  exitCode?: number;
  seconds?: number;
  /** What the step printed (stdout and stderr in order), its last 64 KiB. */
  output: string;
}

export const STEP_MARKER = '@@lvslab-step';

export function guestStepsScript(steps: GuestStep[]): string {
  const lines = [
    '#!/bin/bash',
    '# lvslab Vagrant path, guest side (generated)',
    'exec 2>&1',
    'export DEBIAN_FRONTEND=noninteractive',
    'ms() { echo $(( $(date +%s%N) / 1000000 )); }',
  ];
  for (const step of steps) {
    lines.push(`step_${step.name.replaceAll('-', '_')}() {`, '  set -e', ...step.script.map((line) => `  ${line}`), '}');
  }
  for (const step of steps) {
    lines.push(
      `echo "${STEP_MARKER} begin ${step.name}"`,
      't0=$(ms)',
      // Through a pipe, as Vagrant's provisioner output is: no progress bars drawn for a terminal.
      `( step_${step.name.replaceAll('-', '_')} ) </dev/null 2>&1 | cat`,
      'rc=${PIPESTATUS[0]}',
      `echo "${STEP_MARKER} end ${step.name} $rc $(( $(ms) - t0 ))"`,
      '[ "$rc" = 0 ] || exit "$rc"',
    );
  }
  lines.push('exit 0', '');
  return lines.join('\n');
}

const OUTPUT_KEPT = 65536;

export type StepMarker = { edge: 'begin'; step: string } | { edge: 'end'; step: string; exitCode: number; seconds: number };

/** A marker line of the guest script (a serial line may end in a carriage return), or undefined. */
export function stepMarker(line: string): StepMarker | undefined {
  const begin = new RegExp(`^${STEP_MARKER} begin (\\S+)\\r?$`).exec(line);
  if (begin) return { edge: 'begin', step: begin[1] };
  const end = new RegExp(`^${STEP_MARKER} end (\\S+) (\\d+) (\\d+)\\r?$`).exec(line);
  return end ? { edge: 'end', step: end[1], exitCode: Number(end[2]), seconds: Number(end[3]) / 1000 } : undefined;
}

/** One result per planned step, from the guest's output: a step with no end marker failed (the guest died in it). */
export function parseGuestSteps(steps: Pick<GuestStep, 'name' | 'title'>[], output: string): StepResult[] {
  const results: StepResult[] = steps.map((s) => ({ name: s.name, title: s.title, status: 'not run', output: '' }));
  let current: StepResult | undefined;
  for (const line of output.split('\n')) {
    const marker = stepMarker(line);
    const named = marker && results.find((r) => r.name === marker.step);
    if (marker && named) {
      if (marker.edge === 'begin') {
        current = named;
        current.status = 'failed';
      } else {
        named.exitCode = marker.exitCode;
        named.seconds = marker.seconds;
        named.status = named.exitCode === 0 ? 'passed' : 'failed';
        current = undefined;
      }
      continue;
    }
    if (current) current.output = (current.output + line + '\n').slice(-OUTPUT_KEPT);
  }
  return results;
}

/** The guest's bash line that runs the Vagrantfile's provisioning as Vagrant's shell provisioner does: written to a file, run by a login bash as root. */
export function provisionerScript(line: string): string[] {
  return [`printf '%s\\n' ${quoteArgument(line)} > /tmp/vagrant-shell`, 'chmod +x /tmp/vagrant-shell', 'cd /root', 'bash -l /tmp/vagrant-shell'];
}
