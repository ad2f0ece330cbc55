/** A dual-stack lab seen one family at a time: what verify reads in each family's view. */
import test from 'ava';
import { join } from 'node:path';
import { allNodes } from '../../src/model/lab.js';
import { familiesOf, familyView, isDualStack, viewFamily } from '../../src/model/family-view.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { TOPOLOGIES } from '../helpers/paths.js';

test('the IPv6 view of a dual-stack lab puts IPv6 addresses, prefixes and default routes where IPv4 stands, with the IPv6 services alone', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'fullnat-dual.yaml'));
  t.true(isDualStack(lab));
  t.deepEqual(familiesOf(lab), ['ipv4', 'ipv6']);
  const v6 = familyView(lab, 'ipv6');
  t.is(viewFamily(v6), 'ipv6');
  t.deepEqual(
    v6.services.map((s) => `${s.protocol} ${s.vip} ${s.members.map((m) => m.address).join(' ')}`),
    ['tcp fd00:10::100 fd00:31::10 fd00:32::10', 'udp fd00:10::100 fd00:31::10 fd00:32::10'],
  );
  t.deepEqual(
    allNodes(v6).map((n) => `${n.name} ${n.interfaces.map((i) => `${i.address}/${i.prefix}`).join(' ')} via ${n.defaultGateway ?? '-'}`),
    [
      'client 2001:db8:100::10/64 via 2001:db8:100::1',
      'gateway 2001:db8:100::1/64 fd00:10::1/64 fd00:31::1/64 fd00:32::1/64 via -',
      'director fd00:10::2/64 via fd00:10::1',
      'rs1 fd00:31::10/64 via fd00:31::1',
      'rs2 fd00:32::10/64 via fd00:32::1',
    ],
  );
  t.deepEqual(
    v6.networks.map((n) => `${n.name} ${n.address}/${n.prefix}`),
    ['outside 2001:db8:100::/64', 'lan fd00:10::/64', 'rsnet1 fd00:31::/64', 'rsnet2 fd00:32::/64'],
  );
  // The IPv4 view is the lab as it was, with its IPv4 services.
  const v4 = familyView(lab, 'ipv4');
  t.is(v4.director.interfaces[0].address, '10.10.0.2');
  t.deepEqual(
    v4.services.map((s) => s.vip),
    ['10.10.0.100', '10.10.0.100'],
  );
});

test('an IPv6-only lab serves one family; an IPv4 lab has no IPv6 at all', async (t) => {
  const dr6 = await loadLab(join(TOPOLOGIES, 'dr6.yaml'));
  t.deepEqual(familiesOf(dr6), ['ipv6']);
  t.is(familyView(dr6, 'ipv6').realServers[0].defaultGateway, 'fd00:10::1');
  const dr = await loadLab(join(TOPOLOGIES, 'dr.yaml'));
  t.false(isDualStack(dr));
  t.deepEqual(familiesOf(dr), ['ipv4']);
  t.true(allNodes(dr).every((n) => n.interfaces.every((i) => i.address6 === undefined) && n.defaultGateway6 === undefined));
});
