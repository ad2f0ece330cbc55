/**
 * Faults injected into a running lab (`lvslab fault`, and verify's health checks): each kind becomes
 * actions on named nodes, as data, like the plan. Killing is by program name inside one namespace
 * (the lab owns every process there); restoring a service re-runs the plan's own service steps.
 */
import { allNodes, type Lab, type Node } from '../model/lab.js';
import type { Step } from '../model/step.js';
import type { Plan } from './build-plan.js';
import { SERVICE_PROGRAM } from '../model/package-root.js';
import { FaultTargetError, type Fault } from '../model/fault.js';

export { FAULT_KINDS, FAULT_USAGE, FaultTargetError, parseFault, type Fault, type FaultKind } from '../model/fault.js';

export type FaultAction =
  | { kind: 'kill'; node: string; namespace: string; programs: string[] }
  | { kind: 'run'; node: string; argv: string[]; input?: string[]; /** stderr that still means done */ accept?: string }
  | { kind: 'start'; step: Step };

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

function links(node: Node, state: 'up' | 'down'): Extract<FaultAction, { kind: 'run' }> {
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
      return [{ kind: 'kill', node: rs.name, namespace: rs.namespace, programs: [SERVICE_PROGRAM] }];
    }
    case 'restore-service': {
      const rs = nodeNamed(lab, fault.target, 'realServer');
      const steps = plan.steps.filter((s) => s.phase === 'services' && s.node === rs.name);
      // Whatever still listens goes first, so that every listener can bind again.
      return [
        { kind: 'kill', node: rs.name, namespace: rs.namespace, programs: [SERVICE_PROGRAM] },
        ...steps.map((step): FaultAction => ({ kind: 'start', step })),
      ];
    }
    case 'kill-keepalived': {
      const director = nodeNamed(lab, fault.target, 'director');
      if (!lab.keepalived) throw new FaultTargetError(`lab ${lab.name} runs no keepalived (its topology has no \`keepalived:\`)`);
      return [{ kind: 'kill', node: director.name, namespace: director.namespace, programs: ['keepalived'] }];
    }
    case 'link-down':
      return [links(nodeNamed(lab, fault.target), 'down')];
    case 'link-up': {
      // A link going down takes the routes through it along (the default route above all): up puts the plan's routes back.
      const node = nodeNamed(lab, fault.target);
      const action = links(node, 'up');
      const routes = plan.steps
        .filter((s) => s.phase === 'nodes' && s.node === node.name)
        .flatMap((s) => (s.input ?? []).filter((line) => line.startsWith('route add ')))
        .map((line) => line.replace(/^route add /, 'route replace '));
      return [{ ...action, input: [...(action.input ?? []), ...routes] }];
    }
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
