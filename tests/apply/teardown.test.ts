/** Removing a lab's namespaces: every process in them first, also one that enters while the others are killed. */
import test from 'ava';
import { removeNamespaces } from '../../src/apply/teardown.js';
import { FakeMachine } from '../helpers/fake-machine.js';

test('a process that enters a namespace while the first ones are killed is killed by the next round, before the namespace goes', async (t) => {
  const machine = new FakeMachine();
  machine.namespaces.add('lab-director');
  machine.processes.set(101, 'lab-director');
  machine.processes.set(102, 'lab-director');
  const kill = machine.kill.bind(machine);
  let late = false;
  machine.kill = async (pid, signal) => {
    // As `ip netns exec` of an up killed with -9 might: it enters the namespace once the listing is done.
    if (!late) machine.processes.set(103, 'lab-director');
    late = true;
    return kill(pid, signal);
  };
  await removeNamespaces(['lab-director', 'lab-gone'], machine, machine);
  t.deepEqual(machine.killed, [101, 102, 103]);
  t.deepEqual(machine.stopped, [101, 102, 103], 'each round freezes all before it kills any');
  t.deepEqual([...machine.processes.keys()], []);
  t.false(machine.namespaces.has('lab-director'), 'then the namespace is deleted');
});
