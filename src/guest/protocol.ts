/**
 * The resident guest's wire: one JSON object a line, both ways. The host sends requests (a command to
 * run, a daemon to start, a capture, a question about the machine); the guest agent answers each by
 * its id, in whatever order the work ends. Ids are strings so that a broker can prefix them per client.
 */
import type { RunOptions, RunResult, StartOptions } from '../apply/runner.js';
import type { KillSignal } from '../apply/host.js';

export type GuestRequest =
  | ({ op: 'run'; argv: string[] } & RunOptions)
  | ({ op: 'start'; argv: string[] } & StartOptions)
  | { op: 'capture'; argv: string[] }
  | { op: 'capture-stop'; capture: string }
  | { op: 'namespaces' }
  | { op: 'pids-in'; namespaces: string[] }
  | { op: 'kill'; pid: number; signal?: KillSignal }
  | { op: 'program-of'; pid: number }
  | { op: 'modules-loaded'; names: string[] }
  | { op: 'programs' }
  | { op: 'files-under'; dir: string }
  /** A client left: the captures it started are stopped (sent by the broker, never answered). */
  | { op: 'release'; owner: string }
  /** The agent answers, then exits: the guest powers off. */
  | { op: 'shutdown' };

/** What each request answers with. */
export interface GuestAnswers {
  run: RunResult;
  start: { pid: number };
  capture: { capture: string };
  'capture-stop': { output: string };
  namespaces: string[];
  'pids-in': number[];
  kill: null;
  'program-of': string | null;
  'modules-loaded': string[];
  programs: string[];
  'files-under': string[];
  release: null;
  shutdown: null;
}

export type Envelope = GuestRequest & { id: string };

export type Reply = { id: string; ok: true; value: unknown } | { id: string; ok: false; error: string };

/** The agent's first line: it runs and reads requests. */
export const AGENT_READY = { id: 'ready', ok: true, value: 'lvslab guest agent' } as const satisfies Reply;

/** Splits a stream of chunks into lines, handing each complete one to `line`. */
export function lineReader(line: (text: string) => void): (chunk: Buffer | string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString();
    let end: number;
    while ((end = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (text.trim() !== '') line(text);
    }
  };
}
