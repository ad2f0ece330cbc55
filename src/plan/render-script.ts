/**
 * Renders a plan as a runnable POSIX shell script, for people: `lvslab plan FILE`. Nothing in lvslab
 * runs this text; the executor runs the argv arrays themselves.
 */
import type { Plan, Step } from './build-plan.js';

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument quoted for a POSIX shell, only when it needs to be. */
export function quoteArgument(argument: string): string {
  if (argument !== '' && SAFE.test(argument)) return argument;
  return `'${argument.replaceAll("'", `'\\''`)}'`;
}

/** An argv rendered for humans (messages, scripts). */
export function joinCommand(argv: readonly string[]): string {
  return argv.map(quoteArgument).join(' ');
}

function renderStep(step: Step): string[] {
  const lines = [`# ${step.node}: ${step.title}`];
  const command = joinCommand(step.argv);
  if (step.input) {
    lines.push(`${command} <<'LVSLAB'`, ...step.input, 'LVSLAB');
  } else if (step.daemon) {
    lines.push(`${command} ${step.log ? `>>${quoteArgument(step.log)}` : '>/dev/null'} 2>&1 &`);
    if (step.ready) lines.push(`# (lvslab waits until it prints "${step.ready}")`);
  } else if (step.until) {
    const { pattern, count, withinMs } = step.until;
    const tries = Math.ceil(withinMs / 200);
    lines.push(
      `i=0; until [ "$(${command} | grep -cE ${quoteArgument(pattern)})" -ge ${count} ]; do`,
      `  i=$((i + 1)); [ $i -lt ${tries} ] || { echo 'not ready within ${withinMs} ms' >&2; exit 1; }; sleep 0.2`,
      'done',
    );
  } else {
    lines.push(command);
  }
  return lines;
}

export function renderScript(plan: Plan, source: string): string {
  const header = [
    '#!/bin/sh',
    `# lvslab plan for lab "${plan.lab}" (mode ${plan.mode}) from ${source}; plan hash ${plan.hash}`,
    `# Namespaces: ${plan.namespaces.join(' ')}`,
    '# Tear down: lvslab down ' + plan.lab,
    'set -e',
  ];
  return [...header, ...plan.steps.flatMap((step) => ['', ...renderStep(step)])].join('\n') + '\n';
}
