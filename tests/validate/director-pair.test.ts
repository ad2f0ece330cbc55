/** A VRRP director pair in the topology: names, addresses and priorities by default, and what is refused where. */
import test from 'ava';
import { sourceNatAddress, type Lab } from '../../src/model/lab.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { TopologyError } from '../../src/model/problems.js';
import { parseTopology } from '../../src/load/load-topology.js';
import { validateLoaded } from '../../src/validate/validate-topology.js';

const lab = (text: string, mode = 'dr'): Lab => validateLoaded(parseTopology(`name: pair\nmode: ${mode}\n${text}`, 'pair.yaml'));
const problems = (text: string, mode = 'dr'): string[] => {
  try {
    lab(text, mode);
  } catch (error) {
    if (error instanceof TopologyError) return error.problems.map((p) => `${p.line}:${p.col} ${p.path.join('.')}: ${p.message}`);
    throw error;
  }
  return [];
};

test('directors: 2 makes director1 (.2, priority 150, the master) and director2 (.3, 100), with sync and advert 1 s', (t) => {
  const l = lab('directors: 2\nkeepalived: true\n');
  t.is(l.director.name, 'director1');
  t.is(l.director.interfaces[0].address, '10.10.0.2');
  t.deepEqual(
    l.backups?.map((b) => [b.name, b.role, b.namespace, b.interfaces[0].address]),
    [['director2', 'director', 'pair-director2', '10.10.0.3']],
  );
  t.deepEqual(l.keepalived?.vrrp, { routerId: 51, advertInterval: 1, sync: true, priorities: [150, 100] });
  t.deepEqual(Object.keys(l.keepalived?.files ?? {}), ['director1', 'director2']);
  t.is(l.keepalived?.files.director2.log, '/run/lvslab/pair/director2/keepalived.log');
});

test('a list names the directors, their addresses and priorities; vrrp and sync are set under keepalived', (t) => {
  const l = lab(
    'directors:\n  - { name: lb1, address: 10.10.0.5, priority: 200 }\n  - { name: lb2, priority: 20 }\n' +
      'keepalived:\n  vrrp: { routerId: 7, advertInterval: 0.2 }\n  sync: false\n',
    'tun',
  );
  t.deepEqual(
    [l.director.name, l.director.interfaces[0].address, l.backups![0].name, l.backups![0].interfaces[0].address],
    ['lb1', '10.10.0.5', 'lb2', '10.10.0.3'],
  );
  t.deepEqual(l.keepalived?.vrrp, { routerId: 7, advertInterval: 0.2, sync: false, priorities: [200, 20] });
});

test('a pair without keepalived, beside director, on two networks, or with the master not first is refused in words', (t) => {
  t.deepEqual(problems('directors: 2\n'), ['3:12 directors: a director pair needs keepalived, whose VRRP moves the VIP: add `keepalived: true`']);
  t.deepEqual(problems('director: { name: d }\ndirectors: 2\nkeepalived: true\n'), [
    '3:11 director: `director` and `directors` cannot both be set: `directors` makes a VRRP pair, `director` one director',
  ]);
  t.deepEqual(
    problems(
      'networks:\n  outside: { subnet: 198.51.100.0/24 }\n  lan: { subnet: 10.10.0.0/24 }\n  lan2: { subnet: 10.30.0.0/24 }\n' +
        'directors:\n  - {}\n  - { network: lan2 }\nkeepalived: true\n',
    ),
    ['9:16 directors.1.network: the directors of a pair share one network (VRRP and the VIP move on it): director2 is on "lan2", director1 on "lan"'],
  );
  t.deepEqual(problems('directors:\n  - { priority: 100 }\n  - { priority: 100 }\nkeepalived: true\n'), [
    "5:17 directors.1.priority: priority 100 of director2 must be below director1's 100: the first director is the VRRP master",
  ]);
});

test('vrrp and sync need a pair; the pair is two directors; names and addresses must not clash', (t) => {
  t.deepEqual(problems('keepalived:\n  vrrp: { routerId: 9 }\n  sync: true\n'), [
    '4:9 keepalived.vrrp: vrrp needs a director pair: set `directors: 2` (or a list of two) instead of `director`',
    '5:9 keepalived.sync: sync copies connections between the directors of a pair: set `directors: 2`',
  ]);
  t.deepEqual(problems('directors: 3\nkeepalived: true\n'), ['3:12 directors: expected the number 2, got 3']);
  t.deepEqual(problems('directors:\n  - { name: rs1 }\n  - {}\nkeepalived: true\n'), [
    '4:13 directors.0.name: node name "rs1" is already used (the default name of real server 1)',
  ]);
  t.deepEqual(problems('directors:\n  - { address: 10.10.0.5 }\n  - { address: 10.10.0.5 }\nkeepalived: true\n'), [
    '5:16 directors.1.address: address 10.10.0.5 is already used by director1',
  ]);
});

test("nat: the real servers' gateway is an address that floats with the VIP (the last host of the directors' network), held by the master", (t) => {
  const l = lab('directors: 2\nkeepalived: true\nrealServers: 2\n', 'nat');
  t.is(l.keepalived?.vrrp?.floating, '10.10.0.254');
  t.deepEqual(
    l.realServers.map((rs) => rs.defaultGateway),
    ['10.10.0.254', '10.10.0.254'],
  );
  t.is(lab('directors: 2\nkeepalived: true\n', 'dr').keepalived?.vrrp?.floating, undefined, 'dr real servers route through the router');
  t.is(lab('keepalived: true\n', 'nat').realServers[0].defaultGateway, '10.10.0.2', 'one director: the director itself');
  t.deepEqual(problems('directors: 2\nkeepalived: true\nrealServers:\n  - { address: 10.10.0.254 }\n', 'nat'), [
    '6:16 realServers.0.address: address 10.10.0.254 is the director pair\'s floating gateway for the real servers (the last host of "lan", held by ' +
      'the VRRP master with the VIP); rs1 cannot have it: choose another address',
  ]);
});

test('fullnat: the source NAT on both directors gives requests an address that floats with the VIP; the real servers keep the router', (t) => {
  const l = lab('directors: 2\nkeepalived: true\nrealServers: 2\n', 'fullnat');
  t.is(l.keepalived?.vrrp?.floating, '10.10.0.254');
  t.is(sourceNatAddress(l), '10.10.0.254');
  t.deepEqual(
    l.realServers.map((rs) => rs.defaultGateway),
    ['10.10.0.1', '10.10.0.1'],
  );
  const snat = buildPlan(l, { service: ['node', '/s.js'] }).steps.filter((s) => s.argv.includes('iptables-restore'));
  t.deepEqual(
    snat.map((s) => [s.node, s.input?.find((line) => line.includes('SNAT'))]),
    ['director1', 'director2'].map((d) => [d, '-A POSTROUTING -m ipvs --vproto 6 --vaddr 10.10.0.100/32 --vport 80 -j SNAT --to-source 10.10.0.254']),
  );
  t.is(sourceNatAddress(lab('keepalived: true\n', 'fullnat')), '10.10.0.2', 'one director: its own address');
  t.false(l.keepalived?.vrrp?.sync, 'no sync by default: the IPVS sync daemon cannot keep a source-NATed connection');
  const refused = problems('directors: 2\nkeepalived:\n  sync: true\n', 'fullnat');
  t.is(refused.length, 1);
  t.regex(refused[0], /^5:9 keepalived\.sync: sync does not keep connections in fullnat mode: the source NAT's state is netfilter's conntrack/);
  t.regex(problems('directors: 2\nkeepalived:\n  sync: true\n', 'fullnat')[0], /conntrackd would copy it.*; leave it out \(the default here is false\)$/);
  t.deepEqual(problems('directors: 2\nkeepalived:\n  sync: false\n', 'fullnat'), []);
  t.deepEqual(problems('directors: 2\nkeepalived: true\nrealServers:\n  - { address: 10.10.0.254 }\n', 'fullnat'), [
    "6:16 realServers.0.address: address 10.10.0.254 is the director pair's floating source address (the director's source NAT) (the last host of " +
      '"lan", held by the VRRP master with the VIP); rs1 cannot have it: choose another address',
  ]);
});
