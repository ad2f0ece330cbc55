/** How a verb uses the microVM (LVSLAB_VM_PATH), and the guest the conductor gets for it. */
import test from 'ava';
import { UsageError } from '../../src/cli/args.js';
import { vmPath, whereFrom } from '../../src/cli/shared.js';

test('LVSLAB_VM_PATH: resident by default, whole when asked; anything else is a usage error naming both', (t) => {
  t.is(vmPath({}), 'resident');
  t.is(vmPath({ LVSLAB_VM_PATH: '' }), 'resident');
  t.is(vmPath({ LVSLAB_VM_PATH: 'resident' }), 'resident');
  t.is(vmPath({ LVSLAB_VM_PATH: 'whole' }), 'whole');
  const error = t.throws(() => vmPath({ LVSLAB_VM_PATH: 'inside' }), { instanceOf: UsageError });
  t.regex(error!.message, /^LVSLAB_VM_PATH=inside is not a way to use the microVM: resident .* or whole /);
});

test('the conductor gets a guest of its own unless the verb must run whole in the guest (bench) or LVSLAB_VM_PATH=whole', (t) => {
  const values = { runner: 'vm' };
  t.is(typeof whereFrom(values).withGuest, 'function');
  t.is(whereFrom(values, { whole: true }).withGuest, undefined);
  process.env.LVSLAB_VM_PATH = 'whole';
  try {
    t.is(whereFrom(values).withGuest, undefined);
  } finally {
    delete process.env.LVSLAB_VM_PATH;
  }
});
