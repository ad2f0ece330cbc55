/** The verbs that build, inspect and remove labs: validate, plan, up, down, status, exec, fault. */
import { progress } from '../report/progress.js';
import { existsSync } from 'node:fs';
import { labDown, labUp, requireRoot, runningLab, runningState } from '../apply/lab-lifecycle.js';
import { machineLifecycle } from '../session/lab-machine.js';
import { injectFault } from '../apply/inject-fault.js';
import { faultActions, FaultTargetError, parseFault } from '../plan/faults.js';
import { LabStateError } from '../apply/errors.js';
import { byLab, findOwned, ownedBy } from '../apply/ownership.js';
import { SERVICE_COMMAND } from '../model/package-root.js';
import { namespaceOf } from '../model/naming.js';
import { buildPlan } from '../plan/build-plan.js';
import { renderScript } from '../plan/render-script.js';
import { renderStatus } from '../report/status-text.js';
import { TopologyError, type Problem } from '../model/problems.js';
import { loadLab } from '../validate/validate-topology.js';
import { labStatus } from '../verify/lab-status.js';
import { runWhereIpvsIs } from '../session/where-ipvs-is.js';
import { hostPort, type Lab } from '../model/lab.js';
import { parseVerbArgs, UsageError, type ParsedArgs } from './args.js';
import { RUNNER_OPTION, whereFrom } from './shared.js';
import { VM_OPTIONS } from './vm-options.js';

/** A valid lab in one line: its shape, its services, and what keepalived and scenarios add. */
export function labSummary(lab: Lab): string {
  const services = lab.services.map((s) => `${s.protocol} ${hostPort(s.vip, s.port)} ${s.scheduler}`).join(', ');
  const vrrp = lab.keepalived?.vrrp;
  const keepalived = !lab.keepalived
    ? []
    : [
        vrrp
          ? `a director pair (VRRP router id ${vrrp.routerId}, advert ${vrrp.advertInterval} s, ${vrrp.sync ? 'connections synced' : 'no sync'})`
          : 'keepalived health checks',
        ...(lab.keepalived.own ? ['its own keepalived.conf'] : []),
      ];
  const scenarios = lab.scenarios?.length ? [`${lab.scenarios.length} scenario(s): ${lab.scenarios.map((s) => s.name).join(', ')}`] : [];
  return [
    `lab ${lab.name}, mode ${lab.mode}, ${lab.realServers.length} real servers, ${lab.clients.length} client(s); ${services}`,
    ...keepalived,
    ...scenarios,
  ].join('; ');
}

export async function validateVerb(args: string[]): Promise<number> {
  const { positionals } = parseVerbArgs(args, {}, 'lvslab validate FILE...');
  if (positionals.length === 0) throw new UsageError('lvslab validate needs at least one FILE');
  const problems: Problem[] = [];
  let crashed = false;
  // Every file is reported on, whatever another file does.
  for (const file of positionals) {
    try {
      const lab = await loadLab(file);
      console.log(`${file}: ok: ${labSummary(lab)}`);
    } catch (error) {
      if (error instanceof TopologyError) problems.push(...error.problems);
      else {
        crashed = true;
        process.stderr.write(
          `${file}: lvslab failed while checking this file (a bug in lvslab; please report it): ${(error as Error)?.message ?? String(error)}\n`,
        );
      }
    }
  }
  if (problems.length > 0) process.stderr.write(`${new TopologyError(problems).message}\n`);
  return crashed ? 1 : problems.length > 0 ? 2 : 0;
}

export async function planVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(args, { json: { type: 'boolean' } }, 'lvslab plan FILE [--json]');
  if (positionals.length !== 1) throw new UsageError('lvslab plan needs exactly one FILE');
  const lab = await loadLab(positionals[0]);
  const plan = buildPlan(lab, { service: SERVICE_COMMAND });
  process.stdout.write(values.json ? JSON.stringify(plan, null, 2) + '\n' : renderScript(plan, positionals[0]));
  return 0;
}

export async function upVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(
    args,
    { recreate: { type: 'boolean' }, 'show-status': { type: 'boolean' }, ...RUNNER_OPTION, ...VM_OPTIONS },
    'lvslab up FILE [--recreate] [--runner auto|host|vm]',
  );
  if (positionals.length !== 1) throw new UsageError('lvslab up needs exactly one FILE');
  const lab = await loadLab(positionals[0]);
  const note =
    'a lab in the microVM lives only as long as the VM: this brings it up, shows its status and powers off. ' +
    'For a lab to explore, keep a microVM running: `lvslab vm --serve SOCKET`, then lvslab with LVSLAB_GUEST=SOCKET.';
  const inVm = ['up', positionals[0], '--show-status'];
  return runWhereIpvsIs(
    whereFrom(values),
    inVm,
    () => upHere(lab, positionals[0], values),
    { stdout: process.stdout, stderr: process.stderr },
    note,
    () => upHere(lab, positionals[0], { ...values, 'show-status': true }),
  );
}

/** up on this host. */
async function upHere(lab: Lab, file: string, values: ParsedArgs['values']): Promise<number> {
  const options = machineLifecycle();
  const started = Date.now();
  const outcome = await progress.task(`building lab ${lab.name}`, () =>
    labUp(lab, { service: SERVICE_COMMAND }, { ...options, recreate: values.recreate === true }),
  );
  if (outcome.status === 'unchanged') {
    console.log(`lab ${lab.name} is already up and matches ${file}: nothing to do`);
  } else {
    console.log(
      `lab ${lab.name} is up (${outcome.plan.namespaces.length} namespaces, ${outcome.plan.steps.length} steps, ${options.runner.spawned} processes, ` +
        `${Date.now() - started} ms)`,
    );
    if (values['show-status']) console.log(renderStatus(await labStatus(await ownedBy(lab.name, options.runner, options.host), options.runner)));
    console.log(`  try: lvslab exec ${lab.name} ${lab.clients[0].name} -- curl -s -g http://${hostPort(lab.services[0].vip, lab.services[0].port)}/`);
  }
  return 0;
}

async function labNameOf(target: string): Promise<string> {
  if (existsSync(target) && /\.ya?ml$/.test(target)) return (await loadLab(target)).name;
  return target;
}

export async function downVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(args, { all: { type: 'boolean' } }, 'lvslab down FILE|NAME | --all');
  if (values.all ? positionals.length > 0 : positionals.length !== 1) throw new UsageError('lvslab down takes one FILE or NAME, or --all');
  const target = values.all ? ({ all: true } as const) : await labNameOf(positionals[0]);
  const removed = await labDown(target, machineLifecycle());
  const what = typeof target === 'string' ? `lab ${target}` : 'every lab';
  console.log(removed.length ? `${what}: removed ${removed.join(' ')}` : `${what}: nothing to remove`);
  return 0;
}

export async function statusVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(args, { json: { type: 'boolean' } }, 'lvslab status [NAME] [--json]');
  const { runner, host } = machineLifecycle();
  requireRoot(host, 'status');
  const labs = byLab(await findOwned(runner, host));
  const names = positionals.length ? positionals : [...labs.keys()];
  const statuses = [];
  for (const name of names) {
    const owned = labs.get(name);
    if (!owned) throw new LabStateError(`no lab named ${name} is running${labs.size ? `; running: ${[...labs.keys()].join(', ')}` : ''}`);
    statuses.push(await labStatus(owned, runner));
  }
  if (values.json) console.log(JSON.stringify(statuses, null, 2));
  else console.log(statuses.length ? statuses.map(renderStatus).join('\n\n') : 'no lab is running');
  return 0;
}

export async function execVerb(args: string[]): Promise<number> {
  const { positionals, rest } = parseVerbArgs(args, {}, 'lvslab exec LAB NODE -- CMD...');
  if (positionals.length !== 2 || rest.length === 0) throw new UsageError('usage: lvslab exec LAB NODE -- CMD...');
  const [labName, node] = positionals;
  const { runner, host } = machineLifecycle();
  requireRoot(host, 'exec');
  const owned = await ownedBy(labName, runner, host);
  if (!owned.some((o) => o.node === node)) {
    throw new LabStateError(`lab ${labName} has no node ${node}${owned.length ? `; nodes: ${owned.map((o) => o.node).join(', ')}` : ' (is it up?)'}`);
  }
  return runner.attached(['ip', 'netns', 'exec', namespaceOf(labName, node), ...rest]);
}

/** `lvslab fault LAB|FILE KIND TARGET [VALUE]`: one fault on a lab running on this host. */
export async function faultVerb(args: string[]): Promise<number> {
  const { positionals } = parseVerbArgs(args, {}, 'lvslab fault LAB|FILE KIND TARGET [VALUE]');
  if (positionals.length < 3) throw new UsageError('usage: lvslab fault LAB|FILE KIND TARGET [VALUE] (lvslab fault --help lists the kinds)');
  const [target, ...words] = positionals;
  let fault;
  try {
    fault = parseFault(words);
  } catch (error) {
    if (error instanceof FaultTargetError) throw new UsageError(error.message);
    throw error;
  }
  const options = machineLifecycle();
  requireRoot(options.host, 'fault');
  const name = await labNameOf(target);
  const running = await runningLab(name, options.stateDir);
  const owned = await ownedBy(name, options.runner, options.host);
  if (!running || owned.length === 0) {
    throw new LabStateError(
      `lab ${name} is not running on this host${owned.length ? ' (or was not brought up by this lvslab: take it down and up again)' : ''}`,
    );
  }
  if (target !== name && (await runningState(await loadLab(target), { service: SERVICE_COMMAND }, options)) !== 'matches') {
    throw new LabStateError(`lab ${name} is running with a different topology than ${target}; name the lab instead, or bring the file up`);
  }
  let done: string[];
  try {
    done = await injectFault(faultActions(running.lab, running.plan, fault), options.runner, options.host);
  } catch (error) {
    if (error instanceof FaultTargetError) throw new LabStateError(error.message);
    throw error;
  }
  for (const line of done) console.log(`${name}: ${line}`);
  return 0;
}
