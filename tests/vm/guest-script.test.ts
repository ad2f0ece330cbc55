import test from 'ava';
import { guestEnvironment, guestScript, kvmHandshakeMs } from '../../src/vm/launch.js';

test('the guest script runs the argv quoted, in the same directory, and reports its status', (t) => {
  const script = guestScript({ argv: ['sh', '-c', "echo 'hi'; exit 3"], cwd: '/work/my lab', env: { PATH: '/usr/bin:/bin' } });
  t.true(script.includes(`export PATH=/usr/bin:/bin`));
  t.true(script.includes(`cd '/work/my lab'`));
  t.true(script.includes(`sh -c 'echo '\\''hi'\\''; exit 3' </dev/null >/dev/vport0p1 2>/dev/vport0p2`));
  t.true(script.includes('echo $? > /run/lvslab-vm/exit'));
  t.true(script.trimEnd().endsWith('poweroff_now'));
});

test("each machine sends the command's streams over its own channels: virtio serial ports on microvm, raw ISA serial ports on pc", (t) => {
  const request = { argv: ['true'], cwd: '/', env: {} };
  const microvm = guestScript({ ...request, machine: 'microvm' });
  const pc = guestScript({ ...request, machine: 'pc' });
  t.regex(microvm, /\ntrue <\/dev\/null >\/dev\/vport0p1 2>\/dev\/vport0p2\n/);
  t.notRegex(microvm, /ttyS[12]/);
  t.true(pc.includes('stty -F /dev/ttyS1 raw -echo; stty -F /dev/ttyS2 raw -echo'));
  t.regex(pc, /true <\/dev\/null >\/dev\/ttyS1 2>\/dev\/ttyS2/);
});

test('the guest notes when it is ready for the command with a shell builtin (no process to start before the stamp)', (t) => {
  const script = guestScript({ argv: ['true'], cwd: '/', env: {} });
  const lines = script.split('\n');
  const stamp = lines.findIndex((l) => l.startsWith('read -r up _ < /proc/uptime'));
  t.true(stamp > 0);
  t.true(lines[stamp].includes('/run/lvslab-vm/started'));
  t.true(stamp < lines.findIndex((l) => l.includes('</dev/null >')));
});

test('only known environment variables cross into the guest', (t) => {
  t.deepEqual(guestEnvironment({ PATH: '/bin', CI: 'true', LVSLAB_CACHE: '/c', SSH_AUTH_SOCK: '/s', ANTHROPIC_KEY: 'x' }, false), {
    PATH: '/bin',
    CI: 'true',
    LVSLAB_CACHE: '/c',
    LVSLAB_PROGRESS: 'plain',
  });
});

test('the guest draws progress as the host terminal wants it: plain lines when the host stderr is not a terminal', (t) => {
  // The guest's stderr is a serial port, a tty: left to itself it would draw spinner frames into a log file.
  t.is(guestEnvironment({ PATH: '/bin' }, false).LVSLAB_PROGRESS, 'plain');
  t.is(guestEnvironment({ PATH: '/bin' }, true).LVSLAB_PROGRESS, 'live');
  t.is(guestEnvironment({ PATH: '/bin', CI: 'true' }, true).LVSLAB_PROGRESS, 'plain');
  t.is(guestEnvironment({ PATH: '/bin', LVSLAB_PROGRESS: 'live' }, false).LVSLAB_PROGRESS, 'live');
});

test('node_modules/.bin does not reach the guest\'s PATH (a JS "nft" must not shadow nftables)', (t) => {
  t.is(guestEnvironment({ PATH: '/w/node_modules/.bin:/w/sub/node_modules/.bin/:/usr/sbin:/usr/bin' }, false).PATH, '/usr/sbin:/usr/bin');
});

test('the KVM handshake window is 8 s unless LVSLAB_KVM_HANDSHAKE_MS widens it with a whole number of milliseconds', (t) => {
  t.is(kvmHandshakeMs({}), 8000);
  t.is(kvmHandshakeMs({ LVSLAB_KVM_HANDSHAKE_MS: '30000' }), 30000);
  for (const bad of ['', 'soon', '-5', '1.5', '0']) t.is(kvmHandshakeMs({ LVSLAB_KVM_HANDSHAKE_MS: bad }), 8000, bad);
});
