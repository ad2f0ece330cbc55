/** One step of a plan: an argv with its stdin, the node it acts in, the phase it belongs to. */

/**
 * Steps of one phase never depend on another node's steps of that phase, so the executor may run
 * different nodes concurrently; within a node, and from one phase to the next, order is kept.
 */
export const PHASES = ['modules', 'create', 'bridges', 'nodes', 'ipvs', 'services', 'keepalived'] as const;
export type Phase = (typeof PHASES)[number];

export interface Step {
  phase: Phase;
  /** The node whose namespace the step acts in; `host` for the root namespace. */
  node: string;
  /** What the step does, in words. */
  title: string;
  argv: string[];
  /** Lines fed on standard input (ip -batch, ipvsadm -R, iptables-restore). */
  input?: string[];
  /** A long-running service, started in the background and owned by its namespace. */
  daemon?: boolean;
  /** A daemon's line on stdout that says it serves: its start waits for it. */
  ready?: string;
  /** Kernel modules to load; the executor skips the step when all are loaded already. */
  modules?: string[];
  /** A daemon's log file, kept (its folder is created); `down` removes the lab's run folder with it. */
  log?: string;
  /** Run again until the output holds this many lines matching the pattern, within the time given. */
  until?: WaitFor;
}

/** What a repeated step waits for (keepalived writing the IPVS table, say). */
export interface WaitFor {
  /** A regular expression each counted line matches (the same in JavaScript and in `grep -E`). */
  pattern: string;
  count: number;
  withinMs: number;
  /** Read its last lines into the error when the wait fails. */
  explainWith?: string;
}
