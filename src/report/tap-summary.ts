/**
 * Reads TAP (from ava, or from `lvslab test` inside the microVM) with tap-parser and turns it into
 * human lines and a final count.
 */
import { Parser, type FinalResults, type Result } from 'tap-parser';

export interface TapCollector {
  /** Feed TAP text here. */
  parser: Parser;
  done: Promise<FinalResults>;
  /** Points as they arrived: a skipped or todo point is neither passed nor failed (tap-parser counts it as both). */
  tally: { passed: number; failed: number; skipped: number };
}

export function collectTap(onAssert?: (result: Result) => void): TapCollector {
  let resolve: (results: FinalResults) => void = () => undefined;
  const done = new Promise<FinalResults>((r) => (resolve = r));
  const parser = new Parser((results) => resolve(results));
  const tally = { passed: 0, failed: 0, skipped: 0 };
  parser.on('assert', (result: Result) => {
    if (result.skip || result.todo) tally.skipped++;
    else if (result.ok) tally.passed++;
    else tally.failed++;
    onAssert?.(result);
  });
  return { parser, done, tally };
}

/** `✔ name`, or `✘ name` with its diagnostic fields indented below. */
export function formatAssert(result: Result): string {
  if (result.ok) return `  ✔ ${result.name}${result.skip ? ' (skipped)' : ''}`;
  const diag = result.diag && typeof result.diag === 'object' ? Object.entries(result.diag as Record<string, unknown>) : [];
  const details = diag
    .filter(([k]) => k !== 'at' && k !== 'stack')
    .map(([k, v]) => `      ${k}: ${typeof v === 'string' ? v.split('\n').join('\n        ') : JSON.stringify(v)}`);
  return [`  ✘ ${result.name}`, ...details].join('\n');
}

/** The plain closing line CI reads; skips are counted apart, never as passes. */
export function closingLine(passed: number, failed: number, skipped = 0): string {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}
