import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  counterDelta,
  neighbourMac,
  parseFrame,
  parseFrames,
  parseDefaultGateways,
  parseMacs,
  parseSwitchLinks,
  splitByNamespace,
  type Counters,
} from '../../src/verify/parse-observations.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { FIXTURES, TOPOLOGIES } from '../helpers/paths.js';

const captured = (name: string) => readFileSync(join(FIXTURES, 'captured', name), 'utf8');

test('a DR capture gives Ethernet and IP headers: in from the gateway, out to a real server with the IP header unchanged', (t) => {
  const [inbound, outbound] = parseFrames(captured('dr-director.cap'));
  t.like(inbound, {
    srcMac: 'd2:c5:47:9f:2b:ba',
    dstMac: '06:68:58:3b:26:2f',
    kind: 'ipv4',
    length: 74,
    src: { ip: '198.51.100.10', port: 36768 },
    dst: { ip: '10.10.0.100', port: 80 },
  });
  t.like(outbound, { srcMac: '06:68:58:3b:26:2f', dstMac: '7a:37:f1:3d:4c:82', dst: { ip: '10.10.0.100', port: 80 } });
  t.is(outbound.inner, undefined);
});

test('an IP-in-IP packet gives the outer and the inner header', (t) => {
  const frame = parseFrames(captured('tun-director.cap'))[0];
  t.like(frame, {
    src: { ip: '10.10.0.2' },
    dst: { ip: '10.20.2.10' },
    inner: { src: { ip: '198.51.100.10', port: 50496 }, dst: { ip: '10.10.0.100', port: 80 } },
  });
});

test('ARP requests and replies are read, with who answered for which address', (t) => {
  const arp = parseFrames(captured('dr-gateway.cap'));
  t.deepEqual(
    arp.filter((f) => f.arp?.op === 'reply').map((f) => `${f.arp!.ip} ${f.arp!.mac}`),
    ['10.10.0.100 06:68:58:3b:26:2f', '10.10.0.1 d2:c5:47:9f:2b:ba'],
  );
  t.is(arp[0].arp?.op, 'request');
});

test('an IPv6-in-IPv6 packet gives IPv6 endpoints, outer and inner (TUN over IPv6, captured)', (t) => {
  const frames = parseFrames(captured('tun6-director.cap'));
  t.is(frames.length, 6);
  t.like(frames[0], {
    kind: 'ipv6',
    length: 134,
    src: { ip: 'fd00:10::2' },
    dst: { ip: 'fd00:20::10' },
    inner: { src: { ip: '2001:db8:100::10', port: 46416 }, dst: { ip: 'fd00:10::100', port: 80 } },
  });
});

test("IPv6's neighbour solicitations and advertisements are read as ARP is: who asked, who answered for which address", (t) => {
  const ndp = parseFrames(captured('tun6-gateway-ndp.cap'));
  t.deepEqual(
    ndp.map((f) => `${f.kind} ${f.arp?.op} ${f.arp?.ip} ${f.arp?.mac ?? '-'}`),
    ['arp request fd00:10::100 -', 'arp reply fd00:10::100 2a:89:85:39:cc:dc', 'arp request fd00:10::1 -', 'arp reply fd00:10::1 22:f6:b2:18:4d:50'],
  );
  // A plain IPv6 packet with ports.
  t.like(
    parseFrame(
      '12:00:00.000000 aa:aa:aa:aa:aa:aa > bb:bb:bb:bb:bb:bb, ethertype IPv6 (0x86dd), length 94: 2001:db8:100::10.39550 > fd00:10::100.80: Flags [S]',
    ),
    {
      kind: 'ipv6',
      src: { ip: '2001:db8:100::10', port: 39550 },
      dst: { ip: 'fd00:10::100', port: 80 },
    },
  );
});

test('lines that are not frames are ignored', (t) => {
  t.is(parseFrame('tcpdump: verbose output suppressed'), undefined);
  t.is(parseFrame(''), undefined);
});

/** Each namespace's own /proc/net/dev (as `ip -all netns exec cat /proc/net/dev` printed it): namespace -> link -> counters. */
function ownCounters(text: string): Counters {
  const counters: Counters = new Map();
  for (const [ns, body] of splitByNamespace(text)) {
    const links = new Map();
    for (const m of body.matchAll(/^\s*(eth\d+):\s*(.*)$/gm)) {
      const f = m[2].trim().split(/\s+/).map(Number);
      links.set(m[1], { rxBytes: f[0], rxPackets: f[1], txBytes: f[8], txPackets: f[9] });
    }
    counters.set(ns, links);
  }
  return counters;
}

test("the bridge side of the links, read once, gives every node link's counters exactly as the node itself counts them", async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr.yaml'));
  // Both captured at the same moment in a DR lab, after a 100 kB download.
  const fromSwitch = parseSwitchLinks(captured('switch-links-dr.json'), lab);
  const own = ownCounters(captured('netdev-dr.txt'));
  for (const node of [lab.clients[0], lab.gateway, lab.director, ...lab.realServers]) {
    for (const i of node.interfaces) t.deepEqual(fromSwitch.get(node.namespace)!.get(i.name), own.get(node.namespace)!.get(i.name), `${node.name} ${i.name}`);
  }
  t.like(fromSwitch.get('dr-gateway')!.get('eth1'), { rxBytes: 104233, txBytes: 1818 });
  t.false(fromSwitch.has('dr-switch'));
});

test('the difference between two readings', (t) => {
  const before: Counters = new Map([['a', new Map([['eth0', { rxBytes: 10, rxPackets: 1, txBytes: 5, txPackets: 1 }]])]]);
  const after: Counters = new Map([
    [
      'a',
      new Map([
        ['eth0', { rxBytes: 2010, rxPackets: 6, txBytes: 5, txPackets: 1 }],
        ['eth1', { rxBytes: 7, rxPackets: 1, txBytes: 0, txPackets: 0 }],
      ]),
    ],
  ]);
  t.deepEqual(counterDelta(before, after).get('a')!.get('eth0'), { rxBytes: 2000, rxPackets: 5, txBytes: 0, txPackets: 0 });
  t.like(counterDelta(before, after).get('a')!.get('eth1'), { rxBytes: 7 });
});

test('MACs by namespace and interface, and the neighbour entry of an address', (t) => {
  const macs = parseMacs('\nnetns: a\n[{"ifname":"lo","address":"00:00:00:00:00:00"},{"ifname":"eth0","address":"aa:bb:cc:dd:ee:ff"}]\n\nnetns: b\n[]\n');
  t.is(macs.get('a')!.get('eth0'), 'aa:bb:cc:dd:ee:ff');
  t.is(macs.get('b')!.size, 0);
  t.is(neighbourMac(captured('neigh.json'), '10.10.0.100'), '06:68:58:3b:26:2f');
  t.is(neighbourMac(captured('neigh.json'), '10.10.0.99'), undefined);
});

test('one ip batch a namespace: the links are its first document, the default route its second (none: no gateway)', (t) => {
  const output =
    '\nnetns: lab-rs1\n[{"ifname":"eth0","address":"aa:bb:cc:dd:ee:01"}]\n[{"dst":"default","gateway":"10.10.0.2","dev":"eth0"}]\n' +
    '\nnetns: lab-client\n[{"ifname":"eth0","address":"aa:bb:cc:dd:ee:02"}]\n[]\n';
  t.deepEqual(
    parseDefaultGateways(output),
    new Map([
      ['lab-rs1', '10.10.0.2'],
      ['lab-client', undefined],
    ]),
  );
  t.is(parseMacs(output).get('lab-rs1')?.get('eth0'), 'aa:bb:cc:dd:ee:01');
});
