/** Check results as a table for people: assertion, where, expected, observed, verdict. */
import type { CheckResult } from '../verify/result.js';

function clip(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

export function renderChecks(results: CheckResult[]): string {
  const nameWidth = Math.min(70, Math.max(9, ...results.map((r) => r.name.length)));
  const lines = [`${'assertion'.padEnd(nameWidth)}  verdict  where / expected / observed`];
  for (const r of results) {
    lines.push(`${clip(r.name, nameWidth)}  ${r.ok ? 'pass   ' : 'FAIL   '}  ${r.where}`);
    if (!r.ok) lines.push(`${''.padEnd(nameWidth)}           expected: ${r.expected}`, `${''.padEnd(nameWidth)}           observed: ${r.observed}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  lines.push('', `${results.length - failed} passed, ${failed} failed`);
  return lines.join('\n');
}
