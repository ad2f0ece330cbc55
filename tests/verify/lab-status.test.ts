import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInterfaces, parseRoutes } from '../../src/verify/lab-status.js';
import { FIXTURES } from '../helpers/paths.js';

const captured = (name: string) => readFileSync(join(FIXTURES, 'captured', name), 'utf8');

test('ip -j -s addr gives interfaces with MAC, addresses and byte counters, the bare loopback left out', (t) => {
  const interfaces = parseInterfaces(captured('ip-addr-gateway.json'));
  t.deepEqual(
    interfaces.map((i) => `${i.name} ${i.addresses.join(',')}`),
    ['eth0 198.51.100.1/24', 'eth1 10.10.0.1/24'],
  );
  t.regex(interfaces[0].mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  t.true(interfaces[1].rxBytes > 0 && interfaces[1].txPackets > 0);
});

test('ip -j route gives one readable line per route', (t) => {
  t.deepEqual(parseRoutes(captured('ip-route-rs1.json')), ['default via 10.10.0.2 dev eth0', '10.10.0.0/24 dev eth0 src 10.10.0.10']);
});
