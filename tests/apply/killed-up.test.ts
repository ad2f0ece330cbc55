/**
 * `up` can die at any moment (kill -9, the OOM killer, a CI timeout). Simulated with a runner that
 * stops answering after step N: nothing after it runs, as after a real kill. Then `down` (and the
 * next `up`) must remove everything that run made, and never a namespace that is not the lab's.
 */
import test from 'ava';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, type LifecycleOptions } from '../../src/apply/lab-lifecycle.js';
import type { CommandRunner, RunOptions } from '../../src/apply/runner.js';
import { markOf } from '../../src/model/naming.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { FakeMachine } from '../helpers/fake-machine.js';
import { GOLDEN_SERVICE_COMMAND, TOPOLOGIES } from '../helpers/paths.js';

const planOptions = { service: GOLDEN_SERVICE_COMMAND };
const dr = () => loadLab(join(TOPOLOGIES, 'dr.yaml'));

/** Forwards to the machine until `after` commands have run, then never answers again: the process is dead. */
class DyingRunner implements CommandRunner {
  private count = 0;
  died!: Promise<void>;
  private markDead!: () => void;
  constructor(
    private readonly machine: FakeMachine,
    private readonly after: number,
  ) {
    this.died = new Promise((r) => (this.markDead = r));
  }
  get spawned() {
    return this.count;
  }
  private step<T>(work: () => Promise<T>): Promise<T> {
    if (this.count++ >= this.after) {
      this.markDead();
      return new Promise<T>(() => undefined);
    }
    return work();
  }
  run(argv: readonly string[], options?: RunOptions) {
    return this.step(() => this.machine.run(argv, options));
  }
  attached(argv: readonly string[]) {
    return this.step(() => this.machine.attached(argv));
  }
  start(argv: readonly string[]) {
    return this.step(() => this.machine.start(argv));
  }
  capture(argv: readonly string[]) {
    return this.step(() => this.machine.capture(argv));
  }
}

/** How many commands a whole `up` of dr.yaml runs on a fresh fake machine. */
async function commandsOfUp(): Promise<number> {
  const machine = new FakeMachine();
  await labUp(await dr(), planOptions, { runner: machine, host: machine, stateDir: mkdtempSync(join(tmpdir(), 'lvslab-state-')) });
  return machine.calls.length;
}

/** A machine with an `up` killed after `after` commands, and a foreign namespace of each kind next to it. */
async function killedUp(after: number) {
  const machine = new FakeMachine();
  machine.namespaces.add('dr-other'); // same prefix, no mark: someone else's
  machine.namespaces.add('someone-else');
  const stateDir = mkdtempSync(join(tmpdir(), 'lvslab-state-'));
  const options: LifecycleOptions = { runner: machine, host: machine, stateDir };
  const dying = new DyingRunner(machine, after);
  void labUp(await dr(), planOptions, { ...options, runner: dying });
  await dying.died;
  return { machine, options, stateDir };
}

test('a killed up leaves namespaces without marks: the case the intent record exists for', async (t) => {
  const machine = new FakeMachine();
  const dying = new DyingRunner(machine, 2); // modules, then the batch that adds the namespaces (no look-up: no namespace yet)
  void labUp(await dr(), planOptions, { runner: dying, host: machine, stateDir: mkdtempSync(join(tmpdir(), 'lvslab-state-')) });
  await dying.died;
  t.true(machine.namespaces.size > 0);
  t.is(machine.aliases.size, 0, 'no namespace is marked yet');
});

test('down removes everything an up killed at any step made, and nothing else', async (t) => {
  const total = await commandsOfUp();
  t.true(total > 5);
  for (let after = 1; after < total; after++) {
    const { machine, options, stateDir } = await killedUp(after);
    await labDown('dr', options);
    t.deepEqual([...machine.namespaces].sort(), ['dr-other', 'someone-else'], `killed after command ${after}`);
    t.deepEqual(
      (existsSync(stateDir) ? readdirSync(stateDir) : []).filter((f) => f.endsWith('.intent.json')),
      [],
      `killed after command ${after}: the record is gone`,
    );
  }
});

test('down --all does the same, and the next up of the lab builds it whole', async (t) => {
  const total = await commandsOfUp();
  for (let after = 1; after < total; after++) {
    const { machine, options } = await killedUp(after);
    await labDown({ all: true }, options);
    t.deepEqual([...machine.namespaces].sort(), ['dr-other', 'someone-else'], `down --all, killed after command ${after}`);
  }
  for (let after = 1; after < total; after++) {
    const { machine, options } = await killedUp(after);
    const outcome = await labUp(await dr(), planOptions, options);
    t.is(outcome.status, 'created', `up after a kill at command ${after}`);
    t.is(machine.aliases.size, 6);
  }
});

test('the record of an up that is still running is not trusted: its namespaces are left alone', async (t) => {
  const { machine, options } = await killedUp(3);
  machine.livePids.add(process.pid);
  const before = [...machine.namespaces].sort();
  await labDown('dr', options);
  t.deepEqual([...machine.namespaces].sort(), before);
});

test("a namespace the record names but that carries another lab's mark or someone else's alias is not removed", async (t) => {
  const { machine, options } = await killedUp(3); // the namespaces exist, unmarked
  t.true(machine.namespaces.has('dr-client') && machine.namespaces.has('dr-gateway'));
  const hash = buildPlan(await dr(), planOptions).hash;
  machine.aliases.set('dr-client', markOf({ lab: 'other', node: 'client', planHash: hash }));
  machine.aliases.set('dr-gateway', 'somebody-else-uses-this-alias');
  await labDown('dr', options);
  t.deepEqual([...machine.namespaces].sort(), ['dr-client', 'dr-gateway', 'dr-other', 'someone-else']);
});
