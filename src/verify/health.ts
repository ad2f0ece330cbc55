/**
 * keepalived's health checks, proven on the running lab: one real server's service is stopped, the
 * director's table is read until keepalived has taken it out, clients are served by the others, then
 * the service is started again and the table read until it is back. The lab ends as it began.
 * `observeHealth` does it (commands); `judgeHealth` is pure and turns the timings into checks.
 */
import { checkBudget, type Lab, type RealServer, type Service } from '../model/lab.js';
import { SERVICE_COMMAND } from '../model/package-root.js';
import type { CheckResult, ProbeAnswer } from '../model/observation.js';
import { buildPlan } from '../plan/build-plan.js';
import { faultActions, type FaultKind } from '../plan/faults.js';
import type { HostView } from '../apply/host.js';
import { injectFault } from '../apply/inject-fault.js';
import type { CommandRunner } from '../apply/runner.js';
import { parseIpvsRules } from './ipvs-table.js';
import { probeFrom } from './run-probe.js';
import { readUntil } from './read-until.js';

/** Requests per checked service once the real server is out: enough that rr would have picked it. */
export const REQUESTS_AFTER_REMOVAL = 6;
/** How long past its budget the table is still read, so that a late removal is measured, not just failed. */
const OVERTIME_MS = 2_000;

export interface HealthObservation {
  victim: string;
  /** Checked services the victim was missing from before its service stopped. */
  missingBefore: string[];
  /** From the fault to the start of the first table read without it (and to that read's end); none: it stayed. */
  removed?: { startMs: number; endMs: number };
  /** Checked services it was still in at the last read, when it stayed. */
  stayedIn: string[];
  probes: ProbeAnswer[];
  returned?: { startMs: number; endMs: number };
  missingAfter: string[];
}

/** The services keepalived checks (type none stays in the table by design). */
export function checkedServices(lab: Lab): Service[] {
  return lab.keepalived ? lab.services.filter((s) => s.check && s.check.type !== 'none') : [];
}

const serviceKey = (s: Service) => `${s.protocol} ${s.vip}:${s.port}`;

/** The real server whose service is stopped: the first member of every checked service that shares them with others. */
export function healthVictim(lab: Lab): RealServer | undefined {
  const checked = checkedServices(lab);
  return lab.realServers.find((rs) =>
    checked.every((s) => s.members.some((m) => m.realServer === rs.name) && s.members.some((m) => m.realServer !== rs.name && m.weight > 0)),
  );
}

/** The checked services whose live table lists the victim. */
async function servicesListing(lab: Lab, victim: RealServer, runner: CommandRunner): Promise<string[]> {
  const result = await runner.run(['ip', 'netns', 'exec', lab.director.namespace, 'ipvsadm', '-S', '-n']);
  const table = parseIpvsRules(result.stdout.split('\n'));
  return checkedServices(lab)
    .filter((s) => {
      const member = s.members.find((m) => m.realServer === victim.name)!;
      return table.get(serviceKey(s))?.members.has(`${member.address}:${member.port}`) ?? false;
    })
    .map(serviceKey);
}

export async function observeHealth(lab: Lab, runner: CommandRunner, host: HostView): Promise<HealthObservation | undefined> {
  const victim = healthVictim(lab);
  const checked = checkedServices(lab);
  if (!victim || checked.length === 0) return undefined;
  const plan = buildPlan(lab, { service: SERVICE_COMMAND });
  const fault = (kind: FaultKind) => injectFault(faultActions(lab, plan, { kind, target: victim.name }), runner, host);
  const read = () => servicesListing(lab, victim, runner);
  const all = checked.map(serviceKey);
  const before = await read();
  const removeBudget = Math.max(...checked.map((s) => checkBudget(s.check!)));
  const t0 = Date.now();
  await fault('kill-service');
  const removal = await readUntil(read, (l) => l.length === 0, t0, t0 + removeBudget * 1000 + OVERTIME_MS);
  const probes = await probeFrom(
    runner,
    lab.clients[0].namespace,
    checked.map((s) => ({ protocol: s.protocol, vip: s.vip, port: s.port, count: REQUESTS_AFTER_REMOVAL })),
  );
  const returnBudget = Math.max(...checked.map((s) => s.check!.interval + s.check!.timeout));
  await fault('restore-service');
  // From the moment every listener runs again (starting them takes a while under emulation).
  const t1 = Date.now();
  const back = await readUntil(read, (l) => l.length === all.length, t1, t1 + returnBudget * 1000 + OVERTIME_MS);
  return {
    victim: victim.name,
    missingBefore: all.filter((k) => !before.includes(k)),
    removed: removal.seen,
    stayedIn: removal.seen ? [] : removal.last,
    probes,
    returned: back.seen,
    missingAfter: back.seen ? [] : all.filter((k) => !back.last.includes(k)),
  };
}

const describeAnswer = (p: ProbeAnswer) => `${p.protocol} ${p.target}: ${p.error ?? `answered by ${p.node}`}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The three health assertions; a read that started within the budget counts (the read itself takes time). */
export function judgeHealth(lab: Lab, obs: HealthObservation): CheckResult[] {
  const checked = checkedServices(lab);
  const removeBudget = Math.max(...checked.map((s) => checkBudget(s.check!)));
  const returnBudget = Math.max(...checked.map((s) => s.check!.interval + s.check!.timeout));
  const director = lab.director.name;
  const removedOk = obs.missingBefore.length === 0 && obs.removed !== undefined && obs.removed.startMs <= removeBudget * 1000;
  const wrong = obs.probes.filter((p) => !p.ok || p.node === obs.victim);
  const returnedOk = obs.returned !== undefined && obs.returned.startMs <= returnBudget * 1000;
  return [
    {
      name: 'keepalived takes a real server whose service died out of the IPVS table within its check budget',
      where: `${director}: ${obs.victim}`,
      expected: `${obs.victim} out of ${checked.map(serviceKey).join(', ')} within ${removeBudget} s (interval + timeout + retries x (retryDelay + timeout))`,
      observed:
        obs.missingBefore.length > 0
          ? `${obs.victim} was not in ${obs.missingBefore.join(', ')} before its service stopped`
          : obs.removed
            ? `out after ${seconds(obs.removed.startMs)} (the table read that showed it took until ${seconds(obs.removed.endMs)})`
            : `still in ${obs.stayedIn.join(', ')} ${seconds(removeBudget * 1000 + OVERTIME_MS)} after its service stopped`,
      ok: removedOk,
    },
    {
      name: 'no client request fails once the dead real server is out of the table',
      where: `${lab.clients[0].name} -> VIP`,
      expected: `${obs.probes.length} answers, none from ${obs.victim}`,
      observed:
        wrong.length === 0
          ? `${obs.probes.length}/${obs.probes.length} answered by ${[...new Set(obs.probes.map((p) => p.node))].sort().join(', ')}`
          : `${wrong.length}/${obs.probes.length} failed or reached ${obs.victim}; e.g. ${describeAnswer(wrong[0])}`,
      ok: removedOk && obs.probes.length > 0 && wrong.length === 0,
    },
    {
      name: 'the real server returns to the table once its service answers again',
      where: `${director}: ${obs.victim}`,
      expected: `${obs.victim} back in every checked service within ${returnBudget} s (interval + timeout)`,
      observed: obs.returned
        ? `back after ${seconds(obs.returned.startMs)} (the table read that showed it took until ${seconds(obs.returned.endMs)})`
        : `still missing from ${obs.missingAfter.join(', ')} ${seconds(returnBudget * 1000 + OVERTIME_MS)} after its service started`,
      ok: returnedOk,
    },
  ];
}
