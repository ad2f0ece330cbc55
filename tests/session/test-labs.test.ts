/** What `lvslab test` compares before and after a lab: a module down leaves loaded is a difference. */
import test from 'ava';
import { hostSnapshot } from '../../src/session/test-labs.js';
import { FakeMachine } from '../helpers/fake-machine.js';

test('the host snapshot names the lab modules loaded, so that one left behind by down (ip6table_nat has no link to see it by) fails the check', async (t) => {
  const machine = new FakeMachine();
  const options = { runner: machine, host: machine };
  const before = await hostSnapshot(options);
  t.regex(before, /^modules: none$/m);
  machine.modules.add('ip6table_nat');
  machine.modules.add('ip_vs');
  const after = await hostSnapshot(options);
  t.regex(after, /^modules: ip_vs ip6table_nat$/m);
  t.not(after, before);
});
