import test from 'ava';
import { join } from 'node:path';
import { chains, executePlan } from '../../src/apply/execute-plan.js';
import { StepFailedError } from '../../src/apply/errors.js';
import { buildPlan, PHASES } from '../../src/plan/build-plan.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { FakeMachine } from '../helpers/fake-machine.js';
import { GOLDEN_SERVICE_COMMAND, TOPOLOGIES } from '../helpers/paths.js';

const drPlan = async () => buildPlan(await loadLab(join(TOPOLOGIES, 'dr.yaml')), { service: GOLDEN_SERVICE_COMMAND });

test('every step runs once, phase after phase, and each node keeps the order of its own steps', async (t) => {
  const machine = new FakeMachine();
  const plan = await drPlan();
  await executePlan(plan, { runner: machine, host: machine });
  const ran = machine.calls.map((c) => c.argv.join(' '));
  t.deepEqual([...ran].sort(), plan.steps.map((s) => s.argv.join(' ')).sort());
  const position = (step: (typeof plan.steps)[number]) => ran.indexOf(step.argv.join(' '));
  const phaseOrder = plan.steps
    .map((s) => ({ phase: PHASES.indexOf(s.phase), at: position(s) }))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.phase);
  t.deepEqual(
    phaseOrder,
    [...phaseOrder].sort((a, b) => a - b),
  );
  for (const node of new Set(plan.steps.map((s) => s.node))) {
    const positions = plan.steps.filter((s) => s.node === node).map(position);
    t.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
      node,
    );
  }
  const create = machine.calls.find((c) => c.argv.join(' ') === 'ip -batch -')!;
  t.is(create.input, plan.steps[1].input!.join('\n') + '\n');
  t.deepEqual([...machine.namespaces].sort(), [...plan.namespaces].sort());
});

test('the phases group independent nodes: one chain per node and phase', async (t) => {
  const phases = chains(await drPlan());
  t.deepEqual(
    phases.map((p) => p.map((chain) => chain[0].node)),
    [['host'], ['host'], ['switch'], ['client', 'gateway', 'director', 'rs1', 'rs2'], ['director'], ['rs1', 'rs2']],
  );
  t.deepEqual(
    phases[3][3].map((s) => s.title),
    ['kernel settings', 'addresses and routes'],
  );
});

test('services start in the background, and only services', async (t) => {
  const machine = new FakeMachine();
  await executePlan(await drPlan(), { runner: machine, host: machine });
  t.deepEqual(
    machine.calls
      .filter((c) => c.daemon)
      .map((c) => c.argv[3])
      .sort(),
    ['dr-rs1', 'dr-rs2'],
  );
  t.true(machine.calls.filter((c) => c.daemon).every((c) => c.argv.includes(GOLDEN_SERVICE_COMMAND[1]) && c.ready === 'lvslab-service ready'));
});

test('modules already loaded are not loaded again; missing ones are, and reported before modprobe runs', async (t) => {
  const machine = new FakeMachine();
  machine.modules.add('ip_vs');
  const plan = buildPlan(await loadLab(join(TOPOLOGIES, 'tun6.yaml')), { service: GOLDEN_SERVICE_COMMAND });
  const loaded: string[][] = [];
  const commandsBefore: number[] = [];
  const onModulesLoading = async (m: string[]) => void (loaded.push(m), commandsBefore.push(machine.calls.length));
  await executePlan(plan, { runner: machine, host: machine, onModulesLoading });
  t.is(machine.calls[0].argv.join(' '), 'modprobe -a ipip ip6_tunnel');
  t.deepEqual(loaded, [['ipip', 'ip6_tunnel']]);
  // Recorded first: an up killed during modprobe leaves no module that no record names.
  t.deepEqual(commandsBefore, [0]);
});

test('a failing step stops the run, kills the services started so far and removes every namespace', async (t) => {
  const machine = new FakeMachine();
  machine.failWhen = {
    contains: 'rs2 tcp:0.0.0.0:80 udp:10.10.0.100:80',
    stderr: 'real-server-service rs2: listen tcp:0.0.0.0:80: Address already in use',
  };
  const plan = await drPlan();
  const error = await t.throwsAsync(executePlan(plan, { runner: machine, host: machine }), { instanceOf: StepFailedError });
  t.is(error!.step.node, 'rs2');
  t.regex(error!.message, /step failed on node rs2 \(service on tcp:0\.0\.0\.0:80, udp:10\.10\.0\.100:80\):\n {2}ip netns exec dr-rs2 perl /);
  t.regex(error!.message, /listen tcp:0\.0\.0\.0:80: Address already in use\nEverything this run had created was removed\.$/);
  t.is(machine.killed.length, 1, 'the service started before the failure');
  t.is(machine.processes.size, 0);
  t.is(machine.namespaces.size, 0);
  t.deepEqual(machine.calls.at(-1)!.argv, ['ip', '-force', '-batch', '-']);
});

test('a failure in the first namespace step rolls back the namespaces that step created', async (t) => {
  const machine = new FakeMachine();
  machine.failWhen = { contains: 'ip -n dr-switch -batch', stderr: 'RTNETLINK answers: Operation not supported' };
  await t.throwsAsync(executePlan(await drPlan(), { runner: machine, host: machine }), {
    message: /node switch \(bridges[^]*ip -n dr-switch -batch -[^]*Operation not supported/,
  });
  t.is(machine.namespaces.size, 0);
});

const kaPlan = async () => buildPlan(await loadLab(join(TOPOLOGIES, 'dr-keepalived.yaml')), { service: GOLDEN_SERVICE_COMMAND });
const TABLE_READ = 'ip netns exec dr-keepalived-director ipvsadm -S -n';

test("a waiting step reads again until keepalived's table has every member; the daemon keeps its log", async (t) => {
  const machine = new FakeMachine();
  let reads = 0;
  const members = ['-a -t 10.10.0.100:80 -r 10.10.0.10:80 -g -w 1', '-a -t 10.10.0.100:80 -r 10.10.0.11:80 -g -w 1', '-a -u x', '-a -u y'];
  machine.respond = (argv) => (argv.join(' ') === TABLE_READ ? { exitCode: 0, stdout: members.slice(0, reads++).join('\n'), stderr: '' } : undefined);
  await executePlan(await kaPlan(), { runner: machine, host: machine });
  t.is(reads, 3, 'read until the second member appeared');
  t.deepEqual(machine.calls.find((c) => c.argv.includes('keepalived'))?.log, '/run/lvslab/dr-keepalived/director/keepalived.log');
});

test('a waiting step that never sees its lines fails the step with what it saw, and up rolls back', async (t) => {
  const machine = new FakeMachine();
  const plan = await kaPlan();
  const wait = plan.steps.find((s) => s.until)!;
  wait.until = { ...wait.until!, withinMs: 300, explainWith: '/nonexistent/keepalived.log' };
  machine.respond = (argv) => (argv.join(' ') === TABLE_READ ? { exitCode: 0, stdout: '-A -t 10.10.0.100:80 -s rr\n-a -t x\n', stderr: '' } : undefined);
  const error = await t.throwsAsync(executePlan(plan, { runner: machine, host: machine }), { instanceOf: StepFailedError });
  t.is(error?.stderr, 'not ready within 300 ms: 1 of 2 lines matching /^-a /');
  t.regex(error?.message ?? '', /Everything this run had created was removed\.$/);
  t.deepEqual(await machine.listNamespaces(), []);
});

test('a rollback kills every daemon the run started by its pid, also one that is not yet in its namespace', async (t) => {
  const machine = new FakeMachine();
  const plan = await drPlan();
  const last = plan.steps[plan.steps.length - 1].argv.join(' ');
  machine.failWhen = { contains: last, stderr: 'no such program' };
  // Every daemon is still on its way into its namespace (still `ip netns exec`): no namespace sweep finds it.
  const start = machine.start.bind(machine);
  machine.start = async (argv, options) => {
    const started = await start(argv, options);
    machine.processes.set(started.pid, 'not yet in its namespace');
    return started;
  };
  await t.throwsAsync(executePlan(plan, { runner: machine, host: machine }), { instanceOf: StepFailedError });
  const daemons = machine.calls.filter((c) => c.daemon && c.argv.join(' ') !== last).length;
  t.true(daemons > 0);
  t.deepEqual(
    [...machine.killed].sort(),
    Array.from({ length: daemons }, (_, i) => 1000 + i),
  );
  t.is(machine.processes.size, 0);
});
