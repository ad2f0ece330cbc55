/** Carrying out a fault: killing by program inside one namespace only, starting, and when a failure is no failure. */
import test from 'ava';
import { FaultFailedError } from '../../src/apply/errors.js';
import { injectFault } from '../../src/apply/inject-fault.js';
import { FakeMachine } from '../helpers/fake-machine.js';

test('kill touches only the named programs in the named namespace', async (t) => {
  const machine = new FakeMachine();
  const service = (await machine.start(['ip', 'netns', 'exec', 'lab-rs1', 'lvslab-service', 'tcp:0.0.0.0:80'])).pid;
  const other = (await machine.start(['ip', 'netns', 'exec', 'lab-rs1', 'tcpdump', '-i', 'eth0'])).pid;
  const elsewhere = (await machine.start(['ip', 'netns', 'exec', 'lab-rs2', 'lvslab-service', 'tcp:0.0.0.0:80'])).pid;
  const done = await injectFault([{ kind: 'kill', node: 'rs1', namespace: 'lab-rs1', programs: ['lvslab-service'] }], machine, machine);
  t.deepEqual(done, ['rs1: killed 1 lvslab-service process(es)']);
  t.deepEqual(machine.killed, [service]);
  t.true(machine.processes.has(other) && machine.processes.has(elsewhere));
  t.deepEqual(await injectFault([{ kind: 'kill', node: 'rs1', namespace: 'lab-rs1', programs: ['lvslab-service'] }], machine, machine), [
    'rs1: no lvslab-service was running',
  ]);
});

test('every process of a kill is frozen before any is killed: a parent dying first gives its children no time for a goodbye', async (t) => {
  const machine = new FakeMachine();
  const order: string[] = [];
  const kill = machine.kill.bind(machine);
  machine.kill = async (pid, signal) => {
    order.push(`${signal ?? 'SIGKILL'} ${pid}`);
    await kill(pid, signal);
  };
  const parent = (await machine.start(['ip', 'netns', 'exec', 'lab-director', 'keepalived', '-n'])).pid;
  const child = (await machine.start(['ip', 'netns', 'exec', 'lab-director', 'keepalived', '-n'])).pid;
  t.deepEqual(await injectFault([{ kind: 'kill', node: 'director', namespace: 'lab-director', programs: ['keepalived'] }], machine, machine), [
    'director: killed 2 keepalived process(es)',
  ]);
  t.deepEqual(order, [`SIGSTOP ${parent}`, `SIGSTOP ${child}`, `SIGKILL ${parent}`, `SIGKILL ${child}`]);
});

test('a kill says so once the killed processes are gone: signalled is not yet exited', async (t) => {
  const machine = new FakeMachine();
  const pid = (await machine.start(['ip', 'netns', 'exec', 'lab-director', 'keepalived', '-n'])).pid;
  // Like a guest that runs the killed process's exit a few reads later.
  const program = machine.programOf.bind(machine);
  let readsAfterKill = -1;
  machine.kill = async (victim, signal) => void (signal !== 'SIGSTOP' && victim === pid && (readsAfterKill = 0));
  machine.programOf = async (asked) => {
    if (asked === pid && readsAfterKill >= 0 && ++readsAfterKill === 3) machine.processes.delete(pid);
    return program(asked);
  };
  t.deepEqual(await injectFault([{ kind: 'kill', node: 'director', namespace: 'lab-director', programs: ['keepalived'] }], machine, machine), [
    'director: killed 1 keepalived process(es)',
  ]);
  t.deepEqual(await machine.pidsIn(['lab-director']), []);
});

test('start runs a step as a daemon, with its log; run says what it ran, without the namespace prefix', async (t) => {
  const machine = new FakeMachine();
  const step = {
    phase: 'services' as const,
    node: 'rs1',
    title: 'service on tcp:0.0.0.0:80',
    argv: ['ip', 'netns', 'exec', 'lab-rs1', 'lvslab-service', 'x'],
    daemon: true,
  };
  const done = await injectFault(
    [
      { kind: 'start', step },
      { kind: 'run', node: 'rs1', argv: ['ip', 'netns', 'exec', 'lab-rs1', 'tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'netem', 'loss', '5%'] },
      { kind: 'run', node: 'rs1', argv: ['ip', '-n', 'lab-rs1', '-batch', '-'], input: ['link set dev eth0 down'] },
    ],
    machine,
    machine,
  );
  t.deepEqual(done, [
    'rs1: started service on tcp:0.0.0.0:80',
    'rs1: ran tc qdisc replace dev eth0 root netem loss 5%',
    'rs1: ran ip -n lab-rs1 -batch - (link set dev eth0 down)',
  ]);
  t.deepEqual(machine.calls[2].input, 'link set dev eth0 down\n');
});

test('a failure the action accepts is "nothing to do"; any other failure stops the fault with the command and its words', async (t) => {
  const machine = new FakeMachine();
  const clear = {
    kind: 'run' as const,
    node: 'rs1',
    argv: ['ip', 'netns', 'exec', 'lab-rs1', 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root'],
    accept: 'handle of zero',
  };
  machine.failWhen = { contains: 'qdisc del', stderr: 'Error: Cannot delete qdisc with handle of zero.\n' };
  t.deepEqual(await injectFault([clear], machine, machine), ['rs1: nothing to do for tc qdisc del dev eth0 root']);
  machine.failWhen = { contains: 'qdisc del', stderr: 'Cannot find device "eth0"\n' };
  await t.throwsAsync(injectFault([clear], machine, machine), {
    instanceOf: FaultFailedError,
    message: 'rs1: ip netns exec lab-rs1 tc qdisc del dev eth0 root: Cannot find device "eth0"',
  });
});
