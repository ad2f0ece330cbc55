/** A lab's lifetime through the conductor, on the recording fake machine. */
import test from 'ava';
import { join } from 'node:path';
import { labUp } from '../../src/apply/lab-lifecycle.js';
import { withLab } from '../../src/session/with-lab.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { FakeMachine } from '../helpers/fake-machine.js';
import { TOPOLOGIES } from '../helpers/paths.js';
import { SERVICE_COMMAND } from '../../src/model/package-root.js';

const dr = () => loadLab(join(TOPOLOGIES, 'dr.yaml'));

test('the lab is up while the work runs, and down after', async (t) => {
  const machine = new FakeMachine();
  const seen = await withLab(await dr(), { runner: machine, host: machine }, async () => machine.namespaces.size);
  t.is(seen, 6);
  t.is(machine.namespaces.size, 0);
});

test('the lab goes down also when the work fails', async (t) => {
  const machine = new FakeMachine();
  await t.throwsAsync(
    withLab(await dr(), { runner: machine, host: machine }, async () => {
      throw new Error('the work broke');
    }),
    { message: 'the work broke' },
  );
  t.is(machine.namespaces.size, 0);
});

test('a lab already running from the same file is reused and left running', async (t) => {
  const machine = new FakeMachine();
  const lab = await dr();
  await labUp(lab, { service: SERVICE_COMMAND }, { runner: machine, host: machine });
  const before = machine.calls.length;
  await withLab(lab, { runner: machine, host: machine }, async () => undefined, { reuseRunning: true });
  t.is(machine.namespaces.size, 6);
  t.false(
    machine
      .commands()
      .slice(before)
      .some((c) => c.startsWith('ip -batch') || c.startsWith('ip -force')),
    'nothing built or removed',
  );
});

test('a lab running from another topology is not replaced by a reuse', async (t) => {
  const machine = new FakeMachine();
  const lab = await dr();
  await labUp({ ...lab, services: lab.services.slice(0, 1) }, { service: SERVICE_COMMAND }, { runner: machine, host: machine });
  await t.throwsAsync(
    withLab(lab, { runner: machine, host: machine }, async () => undefined, { reuseRunning: true }),
    {
      message: /running with a different topology/,
    },
  );
  t.is(machine.namespaces.size, 6);
});
