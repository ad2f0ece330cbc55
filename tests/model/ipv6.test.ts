/** IPv6 arithmetic (issue 14's groundwork), property-based: text round trips, canonical form, subnets handing out hosts. */
import test from 'ava';
import fc from 'fast-check';
import {
  contains6,
  formatIPv6,
  hostCount6,
  isHostOf6,
  isLinkLocal,
  isNetworkAddress6,
  mirrorHost6,
  nthAddress6,
  overlaps6,
  parseCidr6,
  parseIPv6,
  type Cidr6,
} from '../../src/model/ipv6.js';

const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
/** Values with runs of zero groups, where `::` compression has choices to make. */
const sparse = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
  .map((groups) => groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n));

test('every value formats to canonical text that parses back to it (RFC 5952)', (t) => {
  fc.assert(
    fc.property(fc.oneof(u128, sparse), (value) => {
      const text = formatIPv6(value);
      if (parseIPv6(text) !== value) throw new Error(`${text} does not parse back to ${value}`);
      if (text !== text.toLowerCase() || /(^|:)0[0-9a-f]/.test(text)) throw new Error(`${text}: not lowercase or a leading zero`);
      if ((text.match(/::/g) ?? []).length > 1) throw new Error(`${text}: two ::`);
      // `::` never stands for a single zero group.
      if (text.includes('::') && text.split(':').filter((g) => g !== '').length === 7) throw new Error(`${text}: :: for one group`);
    }),
    { numRuns: 2000 },
  );
  t.is(formatIPv6(0n), '::');
  t.is(formatIPv6(1n), '::1');
  t.is(formatIPv6(parseIPv6('2001:db8:0:0:1:0:0:1')!), '2001:db8::1:0:0:1', 'the first of two equal runs');
  t.is(formatIPv6(parseIPv6('2001:0db8:0000:0000:0000:0000:0002:0001')!), '2001:db8::2:1');
  t.is(formatIPv6(parseIPv6('2001:db8:0:1:1:1:1:1')!), '2001:db8:0:1:1:1:1:1', 'one zero group stays');
  t.is(parseIPv6('::ffff:192.0.2.1'), 0xffffc0000201n);
});

test('hostile text is refused, never half-parsed', (t) => {
  for (const text of [
    '',
    ':',
    ':::',
    '1::2::3',
    '12345::',
    'g::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7::8',
    '::ffff:1.2.3.256',
    '::ffff:1.2.3',
    '1.2.3.4::',
    'fe80::1%eth0',
    ' ::1',
    '::1 ',
    '2001:db8::/64',
  ])
    t.is(parseIPv6(text), undefined, JSON.stringify(text));
  fc.assert(
    fc.property(fc.string({ maxLength: 50 }), (text) => {
      const value = parseIPv6(text);
      if (value !== undefined && parseIPv6(formatIPv6(value)) !== value) throw new Error(`${text} parsed to a value that does not round trip`);
    }),
    { numRuns: 3000 },
  );
  t.is(parseCidr6('2001:db8::/129'), undefined);
  t.is(parseCidr6('2001:db8::'), undefined);
  t.deepEqual(parseCidr6('2001:db8::/64'), { address: 0x20010db8n << 96n, prefix: 64 });
});

/** Subnets a lab could use: never link-local, the network address itself, /48 to /126. */
const subnet = fc
  .tuple(u128, fc.integer({ min: 48, max: 126 }))
  .map(([value, prefix]): Cidr6 => {
    const size = 1n << BigInt(128 - prefix);
    return { address: value - (value % size), prefix };
  })
  .filter((net) => !isLinkLocal(net.address) && !contains6(net, 0xfe80n << 112n));

test('every generated subnet hands out unique, in-range, non-reserved addresses', (t) => {
  fc.assert(
    fc.property(subnet, fc.array(fc.bigInt({ min: 1n, max: 1n << 64n }), { minLength: 1, maxLength: 40 }), (net, picks) => {
      if (!isNetworkAddress6(net)) throw new Error('not a network address');
      const count = hostCount6(net);
      const seen = new Set<bigint>();
      const ns = [1n, 2n, count, count - 1n, ...picks.map((p) => ((p - 1n) % count) + 1n)].filter((n) => n >= 1n && n <= count);
      for (const n of ns) {
        const address = nthAddress6(net, n);
        if (address === undefined) throw new Error(`no host ${n} of ${formatIPv6(net.address)}/${net.prefix}`);
        if (!isHostOf6(net, address)) throw new Error(`${formatIPv6(address)} (host ${n}) is not a host of ${formatIPv6(net.address)}/${net.prefix}`);
        if (seen.has(address) && ns.indexOf(n) === ns.lastIndexOf(n)) throw new Error('two hosts, one address');
        seen.add(address);
      }
      if (nthAddress6(net, 0n) !== undefined || nthAddress6(net, count + 1n) !== undefined) throw new Error('a host past either end');
      if (isHostOf6(net, net.address)) throw new Error('the subnet-router anycast address handed out');
    }),
    { numRuns: 1000 },
  );
  const lan = parseCidr6('2001:db8:10::/64')!;
  t.is(hostCount6(lan), (1n << 64n) - 129n);
  t.false(isHostOf6(lan, parseIPv6('2001:db8:10::ffff:ffff:ffff:ff80')!), 'a reserved subnet anycast address (RFC 2526)');
  t.true(isHostOf6(lan, parseIPv6('2001:db8:10::ffff:ffff:ffff:ff7f')!));
  t.is(formatIPv6(nthAddress6(lan, 100n)!), '2001:db8:10::64');
  t.true(overlaps6(lan, parseCidr6('2001:db8::/32')!));
  t.false(overlaps6(lan, parseCidr6('2001:db8:11::/64')!));
  t.false(isHostOf6(parseCidr6('fe80::/64')!, parseIPv6('fe80::1')!), 'link-local is never a node address');
});

test("a dual-stack node's IPv6 address mirrors its IPv4 host: a host of the subnet6, one per IPv4 host, never reserved", (t) => {
  fc.assert(
    fc.property(subnet, fc.uniqueArray(fc.integer({ min: 1, max: 16777214 }), { minLength: 1, maxLength: 40 }), (net, hosts) => {
      const seen = new Map<bigint, number>();
      for (const host of hosts) {
        const address = mirrorHost6(net, host);
        if (address === undefined) continue;
        if (!isHostOf6(net, address))
          throw new Error(`host ${host} mirrored to ${formatIPv6(address)}, not a host of ${formatIPv6(net.address)}/${net.prefix}`);
        if (isLinkLocal(address)) throw new Error('link-local handed out');
        if (seen.has(address)) throw new Error(`hosts ${seen.get(address)} and ${host} share ${formatIPv6(address)}`);
        seen.set(address, host);
      }
    }),
    { numRuns: 1000 },
  );
  const lan = parseCidr6('fd00:10::/64')!;
  t.is(formatIPv6(mirrorHost6(lan, 11)!), 'fd00:10::11');
  t.is(formatIPv6(mirrorHost6(lan, 100)!), 'fd00:10::100');
  t.is(mirrorHost6(parseCidr6('fd00:10::/112')!, 51210), undefined, '::51210 does not fit 16 bits');
  t.is(mirrorHost6(lan, 0), undefined);
  t.is(mirrorHost6(lan, 1.5), undefined);
});
