/**
 * Faults injected into a running lab (`lvslab fault`, and verify's health checks): each kind becomes
 * actions on named nodes, as data, like the plan. Killing is by program name inside one namespace
 * (the lab owns every process there); restoring a service re-runs the plan's own service steps.
 */
import { allNodes, type Lab, type Node } from '../model/lab.js';
import type { Step } from '../model/step.js';
import type { Plan } from './build-plan.js';

export const FAULT_KINDS = ['kill-service', 'restore-service', 'link-down', 'link-up', 'kill-keepalived', 'loss', 'delay', 'clear'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What each kind does and what it acts on, for help texts and errors. */
export const FAULT_USAGE: Record<FaultKind, string> = {
  'kill-service': "kill-service RS: stop the real server's services (its socat listeners)",
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

export type FaultAction =
  | { kind: 'kill'; node: string; namespace: string; programs: string[] }
  | { kind: 'run'; node: string; argv: string[]; input?: string[]; /** stderr that still means done */ accept?: string }
  | { kind: 'start'; step: Step };

/** A fault that cannot act on this lab: the words say what would. */
export class FaultTargetError extends Error {}

function nodeNamed(lab: Lab, name: string, role?: Node['role']): Node {
  const candidates = allNodes(lab).filter((n) => role === undefined || n.role === role);
  const node = candidates.find((n) => n.name === name);
  if (!node) {
    const what = role === 'realServer' ? 'real server' : (role ?? 'node');
    throw new FaultTargetError(`lab ${lab.name} has no ${what} ${name}; ${what}s: ${candidates.map((n) => n.name).join(', ')}`);
  }
  return node;
}

function netem(node: Node, words: string[]): FaultAction[] {
  return node.interfaces.map((i) => ({
    kind: 'run',
    node: node.name,
    argv: ['ip', 'netns', 'exec', node.namespace, 'tc', 'qdisc', 'replace', 'dev', i.name, 'root', 'netem', ...words],
  }));
}

function links(node: Node, state: 'up' | 'down'): FaultAction {
  return {
    kind: 'run',
    node: node.name,
    argv: ['ip', '-n', node.namespace, '-batch', '-'],
    input: node.interfaces.map((i) => `link set dev ${i.name} ${state}`),
  };
}

/** The actions of one fault on a lab built from this plan. */
export function faultActions(lab: Lab, plan: Plan, fault: Fault): FaultAction[] {
  switch (fault.kind) {
    case 'kill-service': {
      const rs = nodeNamed(lab, fault.target, 'realServer');
      return [{ kind: 'kill', node: rs.name, namespace: rs.namespace, programs: ['socat'] }];
    }
    case 'restore-service': {
      const rs = nodeNamed(lab, fault.target, 'realServer');
      const steps = plan.steps.filter((s) => s.phase === 'services' && s.node === rs.name);
      // Whatever still listens goes first, so that every listener can bind again.
      return [{ kind: 'kill', node: rs.name, namespace: rs.namespace, programs: ['socat'] }, ...steps.map((step): FaultAction => ({ kind: 'start', step }))];
    }
    case 'kill-keepalived': {
      const director = nodeNamed(lab, fault.target, 'director');
      if (!lab.keepalived) throw new FaultTargetError(`lab ${lab.name} runs no keepalived (its topology has no \`keepalived:\`)`);
      return [{ kind: 'kill', node: director.name, namespace: director.namespace, programs: ['keepalived'] }];
    }
    case 'link-down':
    case 'link-up':
      return [links(nodeNamed(lab, fault.target), fault.kind === 'link-up' ? 'up' : 'down')];
    case 'loss':
      return netem(nodeNamed(lab, fault.target), ['loss', `${fault.value}%`]);
    case 'delay':
      return netem(nodeNamed(lab, fault.target), ['delay', `${fault.value}ms`]);
    case 'clear': {
      const node = nodeNamed(lab, fault.target);
      return node.interfaces.map((i) => ({
        kind: 'run',
        node: node.name,
        argv: ['ip', 'netns', 'exec', node.namespace, 'tc', 'qdisc', 'del', 'dev', i.name, 'root'],
        // An interface without netem has the kernel's default qdisc, which cannot be deleted: nothing to clear.
        accept: 'handle of zero',
      }));
    }
  }
}

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
