/** Faults as data: what each kind does to which node, and the words for a fault that cannot be. */
import test from 'ava';
import fc from 'fast-check';
import { join } from 'node:path';
import { buildPlan } from '../../src/plan/build-plan.js';
import { FAULT_KINDS, faultActions, FaultTargetError, parseFault, type Fault } from '../../src/plan/faults.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { GOLDEN_SERVICE_COMMAND, TOPOLOGIES } from '../helpers/paths.js';

const labAndPlan = async (name: string) => {
  const lab = await loadLab(join(TOPOLOGIES, `${name}.yaml`));
  return { lab, plan: buildPlan(lab, { service: GOLDEN_SERVICE_COMMAND }) };
};
const actions = async (name: string, fault: Fault) => {
  const { lab, plan } = await labAndPlan(name);
  return faultActions(lab, plan, fault);
};

test("kill-service kills the real server's service process; restore-service kills what is left, then starts the plan's own service steps", async (t) => {
  t.deepEqual(await actions('dr-keepalived', { kind: 'kill-service', target: 'rs2' }), [
    { kind: 'kill', node: 'rs2', namespace: 'dr-keepalived-rs2', programs: ['lvslab-service'] },
  ]);
  const { plan } = await labAndPlan('dr-keepalived');
  const restore = await actions('dr-keepalived', { kind: 'restore-service', target: 'rs2' });
  t.deepEqual(restore[0], { kind: 'kill', node: 'rs2', namespace: 'dr-keepalived-rs2', programs: ['lvslab-service'] });
  t.deepEqual(
    restore.slice(1),
    plan.steps.filter((s) => s.phase === 'services' && s.node === 'rs2').map((step) => ({ kind: 'start', step })),
  );
  t.is(restore.length, 2, 'one service process per real server');
});

test("link-up puts back the routes the link took down with it (the node's default route, as the plan set it)", async (t) => {
  t.deepEqual(await actions('nat', { kind: 'link-up', target: 'rs1' }), [
    { kind: 'run', node: 'rs1', argv: ['ip', '-n', 'nat-rs1', '-batch', '-'], input: ['link set dev eth0 up', 'route replace default via 10.10.0.2'] },
  ]);
  t.deepEqual(await actions('dr', { kind: 'link-up', target: 'gateway' }), [
    { kind: 'run', node: 'gateway', argv: ['ip', '-n', 'dr-gateway', '-batch', '-'], input: ['link set dev eth0 up', 'link set dev eth1 up'] },
  ]);
});

test('links, loss, delay and clear act on every interface of the node, the gateway has two', async (t) => {
  t.deepEqual(await actions('dr', { kind: 'link-down', target: 'gateway' }), [
    { kind: 'run', node: 'gateway', argv: ['ip', '-n', 'dr-gateway', '-batch', '-'], input: ['link set dev eth0 down', 'link set dev eth1 down'] },
  ]);
  t.deepEqual(
    (await actions('dr', { kind: 'loss', target: 'gateway', value: 12.5 })).map((a) => a.kind === 'run' && a.argv.slice(4).join(' ')),
    ['tc qdisc replace dev eth0 root netem loss 12.5%', 'tc qdisc replace dev eth1 root netem loss 12.5%'],
  );
  t.deepEqual(
    (await actions('dr', { kind: 'delay', target: 'rs1', value: 80 })).map((a) => a.kind === 'run' && a.argv.join(' ')),
    ['ip netns exec dr-rs1 tc qdisc replace dev eth0 root netem delay 80ms'],
  );
  t.deepEqual(await actions('dr', { kind: 'clear', target: 'rs1' }), [
    { kind: 'run', node: 'rs1', argv: ['ip', 'netns', 'exec', 'dr-rs1', 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root'], accept: 'handle of zero' },
  ]);
});

test('kill-keepalived needs a director that runs keepalived', async (t) => {
  t.deepEqual(await actions('dr-keepalived', { kind: 'kill-keepalived', target: 'director' }), [
    { kind: 'kill', node: 'director', namespace: 'dr-keepalived-director', programs: ['keepalived'] },
  ]);
  await t.throwsAsync(actions('dr', { kind: 'kill-keepalived', target: 'director' }), {
    instanceOf: FaultTargetError,
    message: 'lab dr runs no keepalived (its topology has no `keepalived:`)',
  });
  await t.throwsAsync(actions('dr-keepalived', { kind: 'kill-keepalived', target: 'rs1' }), {
    message: 'lab dr-keepalived has no director rs1; directors: director',
  });
  await t.throwsAsync(actions('dr', { kind: 'kill-service', target: 'client' }), { message: 'lab dr has no real server client; real servers: rs1, rs2' });
  await t.throwsAsync(actions('dr', { kind: 'link-down', target: 'rs9' }), { message: 'lab dr has no node rs9; nodes: client, gateway, director, rs1, rs2' });
});

test('the command line: kind, target and a value only where one is needed, in range', (t) => {
  t.deepEqual(parseFault(['loss', 'rs1', '2.5']), { kind: 'loss', target: 'rs1', value: 2.5 });
  t.deepEqual(parseFault(['delay', 'client', '150']), { kind: 'delay', target: 'client', value: 150 });
  t.deepEqual(parseFault(['link-up', 'rs1']), { kind: 'link-up', target: 'rs1' });
  const refused = (words: string[]) => t.throws(() => parseFault(words), { instanceOf: FaultTargetError })?.message;
  t.regex(refused(['unplug', 'rs1']) ?? '', /^unknown fault "unplug"; faults:\n {2}kill-service RS: /);
  t.is(refused(['loss', 'rs1', '0']), 'loss takes a percent above 0 and at most 100, got "0"');
  t.is(refused(['loss', 'rs1', '1e2']), 'loss takes a percent above 0 and at most 100, got "1e2"');
  t.is(refused(['delay', 'rs1', '1.5']), 'delay takes whole milliseconds from 1 to 60000, got "1.5"');
  t.is(refused(['delay', 'rs1']), 'usage: lvslab fault LAB delay NODE MS: delay every packet each interface of the node sends (netem)');
  t.is(refused(['link-up', 'rs1', '3']), 'usage: lvslab fault LAB link-up NODE: bring them up again');
});

test('any words at all: a fault, or a FaultTargetError in words; never a value that is not a finite number in range', (t) => {
  const word = fc.oneof(fc.constantFrom(...FAULT_KINDS, 'rs1', '0', '100', '-1', 'NaN', 'Infinity', '1e9', ''), fc.string({ maxLength: 8 }));
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.array(word, { maxLength: 5 }), (words) => {
        try {
          const fault = parseFault(words);
          if (fault.value !== undefined) return Number.isFinite(fault.value) && fault.value > 0 && fault.value <= 60_000;
          return FAULT_KINDS.includes(fault.kind) && fault.target.length > 0;
        } catch (error) {
          return error instanceof FaultTargetError && error.message.length > 0;
        }
      }),
      { numRuns: 2000 },
    ),
  );
});
