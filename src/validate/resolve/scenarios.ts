/**
 * Resolver 9 (on the built lab): the scenarios. Each step says one thing; a fault is one `lvslab fault` takes,
 * on a node of the right role; an expectation names a node that can meet it in this lab (a table that changes
 * needs keepalived, a moving VIP a pair), and `servedBy` follows a load. Defaults for `within` come from the lab.
 */
import { FAULT_TARGET_ROLE, FaultTargetError, parseFault } from '../../model/fault.js';
import { allNodes, checkBudget, type Lab, type Node } from '../../model/lab.js';
import type { Scenario, ScenarioStep } from '../../model/scenario.js';
import type { YamlPath } from '../../model/problems.js';
import { didYouMean } from '../did-you-mean.js';
import { listed, type RawStep, type ResolveContext } from './raw.js';

const STEP_KEYS = ['fault', 'wait', 'load', 'expect'] as const;
const EXPECT_KEYS = ['out', 'in', 'vipOn', 'servedBy'] as const;
const ROLE_WORD: Record<Node['role'], string> = { client: 'client', gateway: 'gateway', director: 'director', realServer: 'real server' };

export function resolveScenarios({ raw, report }: ResolveContext, lab: Lab): Scenario[] | undefined {
  if (!raw.scenarios) return undefined;
  const seen = new Map<string, number>();
  return raw.scenarios.map((scenario, i) => {
    const at: YamlPath = ['scenarios', i];
    if (seen.has(scenario.name)) report([...at, 'name'], `scenario "${scenario.name}" is defined twice (also at scenarios[${seen.get(scenario.name)}])`);
    seen.set(scenario.name, i);
    let loaded = false;
    const steps = scenario.steps.flatMap((step, j): ScenarioStep[] => {
      const path: YamlPath = [...at, 'steps', j];
      const keys = STEP_KEYS.filter((k) => step[k] !== undefined);
      if (keys.length !== 1) {
        report(path, `a step is one of ${STEP_KEYS.join(', ')}${keys.length ? `; this one has ${keys.join(' and ')}` : ''}`);
        return [];
      }
      const resolved = resolveStep(step, path, loaded);
      if (resolved?.kind === 'load') loaded = true;
      return resolved ? [resolved] : [];
    });
    return { name: scenario.name, steps };
  });

  function node(path: YamlPath, name: string, role: Node['role'] | undefined): boolean {
    const candidates = role ? allNodes(lab).filter((n) => n.role === role) : allNodes(lab);
    if (candidates.some((n) => n.name === name)) return true;
    const word = role ? ROLE_WORD[role] : 'node';
    const names = candidates.map((n) => n.name);
    report(path, `"${name}" is not a ${word} of this lab; ${word}s: ${listed(names)}${didYouMean(name, names)}`);
    return false;
  }

  function resolveStep(step: RawStep, path: YamlPath, loaded: boolean): ScenarioStep | undefined {
    if (step.wait !== undefined) return { kind: 'wait', seconds: step.wait };
    if (step.load) return { kind: 'load', requests: step.load.requests, answered: step.load.answered ?? 'all' };
    if (step.fault !== undefined) {
      try {
        const fault = parseFault(step.fault.trim().split(/\s+/));
        if (!node([...path, 'fault'], fault.target, FAULT_TARGET_ROLE[fault.kind])) return undefined;
        if (fault.kind === 'kill-keepalived' && !lab.keepalived) return void report([...path, 'fault'], 'kill-keepalived needs keepalived in the lab');
        return { kind: 'fault', fault, text: step.fault.trim() };
      } catch (error) {
        if (!(error instanceof FaultTargetError)) throw error;
        return void report([...path, 'fault'], error.message.replace('usage: lvslab fault LAB ', 'write ').replaceAll('\n ', ''));
      }
    }
    const expect = step.expect!;
    const keys = EXPECT_KEYS.filter((k) => expect[k] !== undefined);
    if (keys.length !== 1)
      return void report([...path, 'expect'], `an expectation is one of ${EXPECT_KEYS.join(', ')}${keys.length ? `; this one has ${keys.join(' and ')}` : ''}`);
    const [key] = keys;
    const here: YamlPath = [...path, 'expect', key];
    if (key === 'servedBy') {
      if (expect.within !== undefined) report([...path, 'expect', 'within'], 'servedBy judges the last load as it was: it takes no `within`');
      if (!loaded) report(here, 'servedBy judges the last load: put a `load` step before it');
      const ok = expect.servedBy!.every((name, k) => node([...here, k], name, 'realServer'));
      return ok ? { kind: 'servedBy', realServers: expect.servedBy! } : undefined;
    }
    if (key === 'vipOn') {
      if (!lab.keepalived?.vrrp) return void report(here, 'vipOn needs a director pair (`directors: 2`), whose VRRP moves the VIP');
      if (!node(here, expect.vipOn!, 'director')) return undefined;
      return { kind: 'vip', director: expect.vipOn!, within: expect.within ?? 5 * lab.keepalived.vrrp.advertInterval + 3 };
    }
    const realServer = expect[key]!;
    if (!lab.keepalived) return void report(here, `${key} needs keepalived: without its health checks the IPVS table never changes`);
    if (!node(here, realServer, 'realServer')) return undefined;
    const checks = lab.services.flatMap((s) => (s.check && s.check.type !== 'none' ? [s.check] : []));
    if (checks.length === 0) return void report(here, `${key} needs a health check on some service: with type none the table never changes`);
    const fallback = key === 'out' ? Math.max(...checks.map(checkBudget)) : Math.max(...checks.map((c) => c.interval + c.timeout));
    return { kind: 'table', realServer, present: key === 'in', within: expect.within ?? fallback + 1 };
  }
}
