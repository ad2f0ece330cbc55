import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { counterDelta, neighbourMac, parseFrame, parseFrames, parseMacs, parseNetDev } from '../../src/verify/parse-observations.js';
import { FIXTURES } from '../helpers/paths.js';

const captured = (name: string) => readFileSync(join(FIXTURES, 'captured', name), 'utf8');

test('a DR capture gives Ethernet and IP headers: in from the gateway, out to a real server with the IP header unchanged', (t) => {
  const [inbound, outbound] = parseFrames(captured('dr-director.cap'));
  t.like(inbound, { srcMac: 'd2:c5:47:9f:2b:ba', dstMac: '06:68:58:3b:26:2f', kind: 'ipv4', length: 74, src: { ip: '198.51.100.10', port: 36768 }, dst: { ip: '10.10.0.100', port: 80 } });
  t.like(outbound, { srcMac: '06:68:58:3b:26:2f', dstMac: '7a:37:f1:3d:4c:82', dst: { ip: '10.10.0.100', port: 80 } });
  t.is(outbound.inner, undefined);
});

test('an IP-in-IP packet gives the outer and the inner header', (t) => {
  const frame = parseFrames(captured('tun-director.cap'))[0];
  t.like(frame, { src: { ip: '10.10.0.2' }, dst: { ip: '10.20.2.10' }, inner: { src: { ip: '198.51.100.10', port: 50496 }, dst: { ip: '10.10.0.100', port: 80 } } });
});

test('ARP requests and replies are read, with who answered for which address', (t) => {
  const arp = parseFrames(captured('dr-gateway.cap'));
  t.deepEqual(arp.filter((f) => f.arp?.op === 'reply').map((f) => `${f.arp!.ip} ${f.arp!.mac}`), ['10.10.0.100 06:68:58:3b:26:2f', '10.10.0.1 d2:c5:47:9f:2b:ba']);
  t.is(arp[0].arp?.op, 'request');
});

test('lines that are not frames are ignored', (t) => {
  t.is(parseFrame('tcpdump: verbose output suppressed'), undefined);
  t.is(parseFrame(''), undefined);
});

test('/proc/net/dev of every namespace, and the difference between two readings', (t) => {
  const counters = parseNetDev(captured('netdev.txt'));
  t.like(counters.get('dr-gateway')!.get('eth1'), { rxBytes: 3287, rxPackets: 40, txBytes: 1083, txPackets: 14 });
  const later = parseNetDev(captured('netdev.txt').replace('eth1:    3287      40', 'eth1:    5287      45'));
  t.like(counterDelta(counters, later).get('dr-gateway')!.get('eth1'), { rxBytes: 2000, rxPackets: 5, txBytes: 0 });
});

test('MACs by namespace and interface, and the neighbour entry of an address', (t) => {
  const macs = parseMacs('\nnetns: a\n[{"ifname":"lo","address":"00:00:00:00:00:00"},{"ifname":"eth0","address":"aa:bb:cc:dd:ee:ff"}]\n\nnetns: b\n[]\n');
  t.is(macs.get('a')!.get('eth0'), 'aa:bb:cc:dd:ee:ff');
  t.is(macs.get('b')!.size, 0);
  t.is(neighbourMac(captured('neigh.json'), '10.10.0.100'), '06:68:58:3b:26:2f');
  t.is(neighbourMac(captured('neigh.json'), '10.10.0.99'), undefined);
});
