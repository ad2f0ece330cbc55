/**
 * The topology's scenarios, run on the running lab: faults as `lvslab fault` injects them, waits, client load
 * through the VIPs, and expectations read from the lab (the VIP director's IPVS table, who holds the VIP, who
 * answered). Each fault, load and expectation is a CheckResult; a step that fails ends its scenario (the steps
 * after it counted as not run), since what follows assumed it.
 */
import { directorsOf, type Lab } from '../model/lab.js';
import type { CheckResult, ProbeAnswer } from '../model/observation.js';
import { SERVICE_COMMAND } from '../model/package-root.js';
import type { Scenario, ScenarioStep } from '../model/scenario.js';
import { buildPlan } from '../plan/build-plan.js';
import { faultActions } from '../plan/faults.js';
import type { HostView } from '../apply/host.js';
import { injectFault } from '../apply/inject-fault.js';
import type { CommandRunner } from '../apply/runner.js';
import { holders } from './failover.js';
import { parseIpvsRules } from './ipvs-table.js';
import { readUntil } from './read-until.js';
import { probeFrom } from './run-probe.js';

/** A step as a row's name says it. */
export function stepLabel(step: ScenarioStep): string {
  switch (step.kind) {
    case 'fault':
      return `fault ${step.text}`;
    case 'wait':
      return `wait ${step.seconds} s`;
    case 'load':
      return `load: ${step.requests} request(s) per service`;
    case 'table':
      return `${step.realServer} ${step.present ? 'is back in' : 'leaves'} the IPVS table`;
    case 'vip':
      return `${step.director} holds the VIP`;
    case 'servedBy':
      return `the load was served by ${step.realServers.join(', ')}`;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The scenarios named (all when none is), or an error naming the ones the lab has. */
export function scenariosNamed(lab: Lab, names: string[]): Scenario[] {
  const all = lab.scenarios ?? [];
  if (all.length === 0) throw new Error(`lab ${lab.name} has no scenarios (add \`scenarios:\` to its topology)`);
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length > 0) throw new Error(`lab ${lab.name} has no scenario ${unknown.join(', ')}; scenarios: ${all.map((s) => s.name).join(', ')}`);
  return names.length === 0 ? all : all.filter((s) => names.includes(s.name));
}

export async function runScenarios(lab: Lab, runner: CommandRunner, host: HostView, scenarios = lab.scenarios ?? []): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const scenario of scenarios) results.push(...(await runScenario(lab, scenario, runner, host)));
  return results;
}

async function runScenario(lab: Lab, scenario: Scenario, runner: CommandRunner, host: HostView): Promise<CheckResult[]> {
  const plan = buildPlan(lab, { service: SERVICE_COMMAND });
  const results: CheckResult[] = [];
  let lastLoad: ProbeAnswer[] = [];
  for (const [j, step] of scenario.steps.entries()) {
    const name = `scenario ${scenario.name}, step ${j + 1}: ${stepLabel(step)}`;
    let row: Omit<CheckResult, 'name'> | undefined;
    try {
      row = await runStep(step);
    } catch (error) {
      row = { where: scenario.name, expected: 'the step runs', observed: (error as Error).message, ok: false };
    }
    if (!row) continue;
    results.push({ name, ...row });
    if (!row.ok) {
      for (const [k, later] of scenario.steps.entries()) {
        if (k <= j || later.kind === 'wait') continue;
        results.push({
          name: `scenario ${scenario.name}, step ${k + 1}: ${stepLabel(later)}`,
          where: scenario.name,
          expected: 'runs after the steps before it',
          observed: `not run: step ${j + 1} failed`,
          ok: false,
        });
      }
      break;
    }
  }
  return results;

  async function runStep(step: ScenarioStep): Promise<Omit<CheckResult, 'name'> | undefined> {
    switch (step.kind) {
      case 'wait':
        await new Promise((resolve) => setTimeout(resolve, step.seconds * 1000));
        return undefined;
      case 'fault': {
        const said = await injectFault(faultActions(lab, plan, step.fault), runner, host);
        return { where: step.fault.target, expected: `${step.fault.kind} done`, observed: said.join('; ') || 'done', ok: true };
      }
      case 'load':
        return load(step);
      case 'servedBy': {
        const nodes = [...new Set(lastLoad.filter((p) => p.ok).map((p) => p.node ?? '?'))].sort();
        const others = nodes.filter((n) => !step.realServers.includes(n));
        return {
          where: `${lab.clients[0].name} -> VIP`,
          expected: `answers from ${step.realServers.join(', ')} only`,
          observed: nodes.length ? `answers from ${nodes.join(', ')}` : 'no answer at all',
          ok: nodes.length > 0 && others.length === 0,
        };
      }
      case 'table':
        return table(step);
      case 'vip': {
        const t0 = Date.now();
        const outcome = await readUntil(
          () => holders(lab, runner),
          (h) => h.length === 1 && h[0] === step.director,
          t0,
          t0 + step.within * 1000,
        );
        return {
          where: directorsOf(lab)
            .map((d) => d.name)
            .join(', '),
          expected: `${step.director} alone holds the VIP within ${step.within} s`,
          observed: outcome.seen
            ? `${step.director} after ${seconds(outcome.seen.startMs)}`
            : `held by ${outcome.last.join(' and ') || 'no director'} after ${step.within} s`,
          ok: outcome.seen !== undefined,
        };
      }
    }
  }

  async function load(step: Extract<ScenarioStep, { kind: 'load' }>): Promise<Omit<CheckResult, 'name'>> {
    const targets = lab.services.map((s) => ({ protocol: s.protocol, vip: s.vip, port: s.port, count: step.requests }));
    lastLoad = await probeFrom(runner, lab.clients[0].namespace, targets);
    const answered = lastLoad.filter((p) => p.ok);
    const total = lastLoad.length;
    const share = total === 0 ? 0 : (100 * answered.length) / total;
    const ok = step.answered === 'all' ? answered.length === total : step.answered === 'none' ? answered.length === 0 : share >= step.answered;
    const by = [...new Set(answered.map((p) => p.node ?? '?'))].sort();
    const failed = lastLoad.find((p) => !p.ok);
    return {
      where: `${lab.clients[0].name} -> VIP`,
      expected: step.answered === 'all' ? `${total}/${total} answered` : step.answered === 'none' ? 'no answer' : `at least ${step.answered}% answered`,
      observed:
        `${answered.length}/${total} answered${by.length ? ` by ${by.join(', ')}` : ''}` +
        (failed ? `; e.g. ${failed.protocol} ${failed.target}: ${failed.error ?? 'no answer'}` : ''),
      ok,
    };
  }

  async function table(step: Extract<ScenarioStep, { kind: 'table' }>): Promise<Omit<CheckResult, 'name'>> {
    const rs = lab.realServers.find((r) => r.name === step.realServer)!;
    const address = rs.interfaces[0].address;
    // The table that serves: the VIP holder's (a pair's backup keeps its own, checked the same way).
    const holder = lab.keepalived?.vrrp ? ((await holders(lab, runner))[0] ?? lab.director.name) : lab.director.name;
    const director = directorsOf(lab).find((d) => d.name === holder)!;
    const listed = async () => {
      const out = (await runner.run(['ip', 'netns', 'exec', director.namespace, 'ipvsadm', '-S', '-n'])).stdout;
      return [...parseIpvsRules(out.split('\n')).values()].some((v) => [...v.members.keys()].some((m) => m.startsWith(`${address}:`)));
    };
    const t0 = Date.now();
    const outcome = await readUntil(listed, (inTable) => inTable === step.present, t0, t0 + step.within * 1000);
    const where = step.present ? 'back in' : 'out of';
    return {
      where: `${director.name}: ${rs.name}`,
      expected: `${rs.name} ${where} the table within ${step.within} s`,
      observed: outcome.seen
        ? `${where} after ${seconds(outcome.seen.startMs)}`
        : `${step.present ? 'still out of' : 'still in'} the table after ${step.within} s`,
      ok: outcome.seen !== undefined,
    };
  }
}
