/**
 * Reads TAP (from ava, or from `lvslab test` inside the microVM) with tap-parser and turns it into
 * human lines and a final count.
 */
import { Parser, type FinalResults, type Result } from 'tap-parser';

export interface TapCollector {
  /** Feed TAP text here. */
  parser: Parser;
  done: Promise<FinalResults>;
}

export function collectTap(onAssert?: (result: Result) => void): TapCollector {
  let resolve: (results: FinalResults) => void = () => undefined;
  const done = new Promise<FinalResults>((r) => (resolve = r));
  const parser = new Parser((results) => resolve(results));
  if (onAssert) parser.on('assert', onAssert);
  return { parser, done };
}

/** `✔ name`, or `✘ name` with its diagnostic fields indented below. */
export function formatAssert(result: Result): string {
  if (result.ok) return `  ✔ ${result.name}${result.skip ? ' (skipped)' : ''}`;
  const diag = result.diag && typeof result.diag === 'object' ? Object.entries(result.diag as Record<string, unknown>) : [];
  const details = diag.filter(([k]) => k !== 'at' && k !== 'stack').map(([k, v]) => `      ${k}: ${typeof v === 'string' ? v.split('\n').join('\n        ') : JSON.stringify(v)}`);
  return [`  ✘ ${result.name}`, ...details].join('\n');
}

/** The plain closing line CI reads. */
export function closingLine(passed: number, failed: number): string {
  return `${passed} passed, ${failed} failed`;
}
