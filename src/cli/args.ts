/**
 * Command-line arguments: node's parseArgs, plus the `--` that separates lvslab's options from a
 * command to run (exec, vm).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** Everything after `--`. */
  rest: string[];
}

export function parseVerbArgs(args: string[], options: NonNullable<ParseArgsConfig['options']>, usage: string): ParsedArgs {
  const dash = args.indexOf('--');
  const own = dash === -1 ? args : args.slice(0, dash);
  const rest = dash === -1 ? [] : args.slice(dash + 1);
  try {
    const { values, positionals } = parseArgs({ args: own, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals, rest };
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
}

export function positiveInteger(value: unknown, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${option} must be a positive whole number; got ${JSON.stringify(value)}`);
  return n;
}
