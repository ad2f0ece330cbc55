import test from 'ava';
import { join } from 'node:path';
import { labDown, labUp, runningState } from '../../src/apply/lab-lifecycle.js';
import { LabStateError } from '../../src/apply/errors.js';
import { clearIntent, writeIntent } from '../../src/apply/intent.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadLab } from '../../src/validate/validate-topology.js';
import { FakeMachine } from '../helpers/fake-machine.js';
import { GOLDEN_SERVICE_COMMAND, TOPOLOGIES } from '../helpers/paths.js';

const planOptions = { service: GOLDEN_SERVICE_COMMAND };
const dr = () => loadLab(join(TOPOLOGIES, 'dr.yaml'));

test('a second up of an identical lab runs no step and says it is unchanged', async (t) => {
  const machine = new FakeMachine();
  const first = await labUp(await dr(), planOptions, { runner: machine, host: machine });
  t.is(first.status, 'created');
  const callsAfterFirst = machine.calls.length;
  const second = await labUp(await dr(), planOptions, { runner: machine, host: machine });
  t.is(second.status, 'unchanged');
  // Only the lab's own namespaces' marks are read.
  t.deepEqual(
    machine.commands().slice(callsAfterFirst),
    [...machine.namespaces].sort().map((ns) => `ip -n ${ns} -o link show dev lo`),
  );
  t.true([...machine.namespaces].every((ns) => ns.startsWith('dr-')));
});

test('up of a changed topology refuses, says what differs and how to replace it, and changes nothing', async (t) => {
  const machine = new FakeMachine();
  await labUp(await dr(), planOptions, { runner: machine, host: machine });
  const changed = { ...(await dr()), services: (await dr()).services.slice(0, 1) };
  const before = machine.calls.length;
  const error = await t.throwsAsync(labUp(changed, planOptions, { runner: machine, host: machine }), { instanceOf: LabStateError });
  t.regex(error!.message, /lab dr is running with a different topology than .*dr\.yaml/);
  t.regex(error!.message, /lvslab up --recreate/);
  t.true(
    machine
      .commands()
      .slice(before)
      .every((c) => /^ip -n dr-\S+ -o link show dev lo$/.test(c)),
    'only the ownership look-up ran',
  );
});

test('up --recreate replaces a changed lab', async (t) => {
  const machine = new FakeMachine();
  await labUp(await dr(), planOptions, { runner: machine, host: machine });
  const changed = { ...(await dr()), services: (await dr()).services.slice(0, 1) };
  const outcome = await labUp(changed, planOptions, { runner: machine, host: machine, recreate: true });
  t.is(outcome.status, 'created');
  t.true(machine.commands().includes('ip -force -batch -'));
  t.is(machine.namespaces.size, 6);
});

test('up refuses when a namespace of the same name exists that lvslab does not own', async (t) => {
  const machine = new FakeMachine();
  machine.namespaces.add('dr-client');
  await t.throwsAsync(labUp(await dr(), planOptions, { runner: machine, host: machine }), {
    message: /dr-client exist and are not lvslab's.*nothing was created/,
  });
  t.deepEqual([...machine.namespaces], ['dr-client']);
  t.false(machine.commands().some((c) => c.startsWith('ip -batch')));
});

test('down removes exactly the namespaces marked for that lab, and no other', async (t) => {
  const machine = new FakeMachine();
  await labUp(await dr(), planOptions, { runner: machine, host: machine });
  machine.namespaces.add('dr-other'); // same prefix, no mark
  machine.namespaces.add('someone-else');
  const removed = await labDown('dr', { runner: machine, host: machine });
  t.deepEqual(removed, ['dr-client', 'dr-director', 'dr-gateway', 'dr-rs1', 'dr-rs2', 'dr-switch']);
  t.deepEqual([...machine.namespaces].sort(), ['dr-other', 'someone-else']);
});

test('down is idempotent: a second down finds nothing and does nothing', async (t) => {
  const machine = new FakeMachine();
  await labUp(await dr(), planOptions, { runner: machine, host: machine });
  await labDown('dr', { runner: machine, host: machine });
  const before = machine.calls.length;
  t.deepEqual(await labDown('dr', { runner: machine, host: machine }), []);
  t.deepEqual(machine.commands().slice(before), []);
});

test('down --all removes every lab, found by its marks alone', async (t) => {
  const machine = new FakeMachine();
  await labUp(await dr(), planOptions, { runner: machine, host: machine });
  await labUp(await loadLab(join(TOPOLOGIES, 'nat.yaml')), planOptions, { runner: machine, host: machine });
  const removed = await labDown({ all: true }, { runner: machine, host: machine });
  t.is(removed.length, 6 + 7);
  t.is(machine.namespaces.size, 0);
});

test('up and down say clearly that they need root', async (t) => {
  const machine = new FakeMachine();
  machine.root = false;
  await t.throwsAsync(labUp(await dr(), planOptions, { runner: machine, host: machine }), {
    message: 'lvslab up needs root (it works in network namespaces); run it with sudo, or as root',
  });
  await t.throwsAsync(labDown('dr', { runner: machine, host: machine }), { message: /lvslab down needs root/ });
  t.is(machine.calls.length, 0);
});

test('the running state says absent, matches or differs, from the marks alone', async (t) => {
  const machine = new FakeMachine();
  const options = { runner: machine, host: machine };
  t.is(await runningState(await dr(), planOptions, options), 'absent');
  await labUp(await dr(), planOptions, options);
  t.is(await runningState(await dr(), planOptions, options), 'matches');
  t.is(await runningState({ ...(await dr()), services: (await dr()).services.slice(0, 1) }, planOptions, options), 'differs');
});

test("down unloads the modules lvslab loaded only once no lab runs and no other lab's up is under way", async (t) => {
  const machine = new FakeMachine();
  const options = { runner: machine, host: machine, stateDir: mkdtempSync(join(tmpdir(), 'lvslab-state-')) };
  await labUp(await dr(), planOptions, options);
  t.true(machine.modules.has('ip_vs'), 'up loaded ip_vs and remembers it');
  // Another lab's up has written its record (its process alive) and not yet created a namespace.
  machine.livePids.add(4242);
  await writeIntent(options.stateDir, { lab: 'other', hash: 'abc', namespaces: ['other-client'], pid: 4242 });
  await labDown('dr', options);
  t.true(machine.modules.has('ip_vs'), "the other lab's up needs it");
  await clearIntent(options.stateDir, 'other');
  await labUp(await dr(), planOptions, options);
  t.true(machine.modules.has('ip_vs_rr'), "the service's scheduler loaded its module");
  await labDown('dr', options);
  t.false(machine.modules.has('ip_vs'), 'nothing runs or is being built: unloaded');
  t.false(machine.modules.has('ip_vs_rr'), 'with the scheduler module the labs loaded (it holds ip_vs)');
});

test('down of one lab reads only its own namespaces, keeps the modules while another lab is recorded as running, unloads them after the last', async (t) => {
  const machine = new FakeMachine();
  const options = { runner: machine, host: machine, stateDir: mkdtempSync(join(tmpdir(), 'lvslab-state-')) };
  await labUp(await dr(), planOptions, options);
  await labUp(await loadLab(join(TOPOLOGIES, 'nat.yaml')), planOptions, options);
  const before = machine.calls.length;
  await labDown('dr', options);
  const reads = machine
    .commands()
    .slice(before)
    .filter((c) => c.includes('link show dev lo'));
  t.true(reads.length > 0 && reads.every((c) => /^ip -n dr-\S+ -o link show dev lo$/.test(c)), reads.join('\n'));
  t.true(machine.modules.has('ip_vs'), 'nat still runs');
  t.true([...machine.namespaces].every((ns) => ns.startsWith('nat-')));
  await labDown('nat', options);
  t.false(machine.modules.has('ip_vs'), 'the last lab is down: unloaded');
  t.is(machine.namespaces.size, 0);
});

test('down for a lab built next keeps the modules (its up cannot race their unloading); the next down without it unloads them', async (t) => {
  const machine = new FakeMachine();
  const options = { runner: machine, host: machine, stateDir: mkdtempSync(join(tmpdir(), 'lvslab-state-')) };
  await labUp(await dr(), planOptions, options);
  await labDown('dr', options, { keepModules: true });
  t.is(machine.namespaces.size, 0);
  t.true(machine.modules.has('ip_vs'));
  await labUp(await dr(), planOptions, options);
  await labDown('dr', options);
  t.false(machine.modules.has('ip_vs'));
});

test('down waits for the kernel to tear a deleted namespace down before it unloads the modules (longer than ten tries)', async (t) => {
  const machine = new FakeMachine();
  const options = { runner: machine, host: machine, stateDir: mkdtempSync(join(tmpdir(), 'lvslab-state-')) };
  await labUp(await dr(), planOptions, options);
  // On a guest sharing its cores, a pair's namespaces held their scheduler modules for longer than ten tries (CI).
  machine.schedulersHeldFor = 12;
  await labDown('dr', options);
  t.false(machine.modules.has('ip_vs'), 'unloaded once the namespace was gone');
  t.is(machine.calls.filter((c) => c.argv[0] === 'modprobe' && c.argv[1] === '-r').length, 13);
});

test("down does not wait for ip_vs while a module lvslab did not load holds it (someone's iptables -m ipvs)", async (t) => {
  const machine = new FakeMachine();
  const options = { runner: machine, host: machine, stateDir: mkdtempSync(join(tmpdir(), 'lvslab-state-')) };
  await labUp(await dr(), planOptions, options);
  machine.modules.add('xt_ipvs');
  const started = Date.now();
  await labDown('dr', options);
  t.true(machine.modules.has('ip_vs'), 'xt_ipvs still holds it');
  t.false(machine.modules.has('ip_vs_rr'), 'what could go went');
  t.is(machine.calls.filter((c) => c.argv[0] === 'modprobe' && c.argv[1] === '-r').length, 1, 'no second try: its holder never lets go');
  t.true(Date.now() - started < 5000, 'not the whole wait for a namespace being torn down');
});
