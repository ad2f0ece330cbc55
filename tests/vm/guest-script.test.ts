import test from 'ava';
import { guestEnvironment, guestScript } from '../../src/vm/launch.js';

test('the guest script runs the argv quoted, in the same directory, and reports its status', (t) => {
  const script = guestScript({ argv: ['sh', '-c', "echo 'hi'; exit 3"], cwd: '/work/my lab', env: { PATH: '/usr/bin:/bin' } });
  t.true(script.includes(`export PATH=/usr/bin:/bin`));
  t.true(script.includes(`cd '/work/my lab'`));
  t.true(script.includes(`sh -c 'echo '\\''hi'\\''; exit 3' </dev/null >/dev/ttyS1 2>/dev/ttyS2`));
  t.true(script.includes('echo $? > /run/lvslab-vm/exit'));
  t.true(script.trimEnd().endsWith('poweroff_now'));
});

test('only known environment variables cross into the guest', (t) => {
  t.deepEqual(guestEnvironment({ PATH: '/bin', CI: 'true', LVSLAB_CACHE: '/c', SSH_AUTH_SOCK: '/s', ANTHROPIC_KEY: 'x' }), { PATH: '/bin', CI: 'true', LVSLAB_CACHE: '/c' });
});
