import test from 'ava';
import { PROBE_SCRIPT } from '../../src/model/package-root.js';
import { probeArgv, timelineArgv } from '../../src/verify/probe-argv.js';

test('each target is five words for probe.pl: protocol, VIP, port, count, padding bytes (0 when not asked)', (t) => {
  t.deepEqual(
    probeArgv('nat-client', [
      { protocol: 'tcp', vip: '10.10.0.100', port: 80, count: 4, bytes: 10 },
      { protocol: 'udp', vip: 'fd00:10::100', port: 53, count: 2 },
    ]),
    ['ip', 'netns', 'exec', 'nat-client', 'perl', PROBE_SCRIPT, ...['tcp', '10.10.0.100', '80', '4', '10'], ...['udp', 'fd00:10::100', '53', '2', '0']],
  );
});

test('a timeline names its period, length and timeout in whole milliseconds, then its files (- for none), then its target', (t) => {
  const target = { protocol: 'tcp' as const, vip: '10.10.0.100', port: 80, count: 1 };
  t.deepEqual(timelineArgv('pair-client', { target, everyMs: 100, forMs: 120_000, timeoutMs: 2500, startedFile: '/tmp/f/started', stopFile: '/tmp/f/stop' }), [
    ...['ip', 'netns', 'exec', 'pair-client', 'perl', PROBE_SCRIPT, '--timeline', '100', '120000', '2500', '/tmp/f/started', '/tmp/f/stop'],
    ...['tcp', '10.10.0.100', '80', '1', '0'],
  ]);
  t.deepEqual(timelineArgv('c', { target, everyMs: 99.6, forMs: 1000, timeoutMs: 300 }).slice(6), [
    '--timeline',
    '100',
    '1000',
    '300',
    '-',
    '-',
    'tcp',
    '10.10.0.100',
    '80',
    '1',
    '0',
  ]);
});
