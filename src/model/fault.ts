/**
 * A fault injected into a running lab (`lvslab fault`, a scenario's `fault:` step, verify's health checks): its
 * kind, the node it acts on and, for loss and delay, a value. What each kind does is in src/plan/faults.ts.
 */
export const FAULT_KINDS = ['kill-service', 'restore-service', 'link-down', 'link-up', 'kill-keepalived', 'loss', 'delay', 'clear'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What each kind does and what it acts on, for help texts and errors. */
export const FAULT_USAGE: Record<FaultKind, string> = {
  'kill-service': "kill-service RS: stop the real server's service (every listener of its lvslab-service process)",
  'restore-service': 'restore-service RS: start them again as `up` did',
  'link-down': 'link-down NODE: take every interface of the node down',
  'link-up': 'link-up NODE: bring them up again',
  'kill-keepalived': 'kill-keepalived DIRECTOR: kill keepalived (SIGKILL: no goodbye, the table stays as it was)',
  loss: 'loss NODE PERCENT: drop that share of the packets each interface of the node sends (netem)',
  delay: 'delay NODE MS: delay every packet each interface of the node sends (netem)',
  clear: 'clear NODE: remove loss and delay from the node',
};

export interface Fault {
  kind: FaultKind;
  target: string;
  /** loss: percent (0-100]; delay: milliseconds. */
  value?: number;
}

/** The role a fault's target must have (kill-service needs a real server, ...); any node otherwise. */
export const FAULT_TARGET_ROLE: Record<FaultKind, 'realServer' | 'director' | undefined> = {
  'kill-service': 'realServer',
  'restore-service': 'realServer',
  'link-down': undefined,
  'link-up': undefined,
  'kill-keepalived': 'director',
  loss: undefined,
  delay: undefined,
  clear: undefined,
};

/** A fault that cannot act on this lab: the words say what would. */
export class FaultTargetError extends Error {}

/** Parses `KIND TARGET [VALUE]` from the command line; throws FaultTargetError with the choices. */
export function parseFault(words: string[]): Fault {
  const [kind, target, value, ...rest] = words;
  if (!(FAULT_KINDS as readonly string[]).includes(kind ?? '')) {
    throw new FaultTargetError(`unknown fault ${JSON.stringify(kind ?? '')}; faults:\n  ${Object.values(FAULT_USAGE).join('\n  ')}`);
  }
  const k = kind as FaultKind;
  const wantsValue = k === 'loss' || k === 'delay';
  if (!target || rest.length > 0 || (wantsValue ? value === undefined : value !== undefined))
    throw new FaultTargetError(`usage: lvslab fault LAB ${FAULT_USAGE[k]}`);
  if (!wantsValue) return { kind: k, target };
  const number = Number(value);
  const ok = k === 'loss' ? /^[0-9]+(\.[0-9]+)?$/.test(value) && number > 0 && number <= 100 : /^[0-9]+$/.test(value) && number >= 1 && number <= 60_000;
  if (!ok)
    throw new FaultTargetError(
      k === 'loss'
        ? `loss takes a percent above 0 and at most 100, got ${JSON.stringify(value)}`
        : `delay takes whole milliseconds from 1 to 60000, got ${JSON.stringify(value)}`,
    );
  return { kind: k, target, value: number };
}
