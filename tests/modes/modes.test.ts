import test from 'ava';
import { LVS_MODES, lvsMode, portRules, realServerRules } from '../../src/modes/index.js';
import { MODES } from '../../src/model/lab.js';

test('every mode has a module, under its own name', (t) => {
  t.deepEqual(Object.keys(LVS_MODES).sort(), [...MODES].sort());
  for (const mode of MODES) t.is(lvsMode(mode).name, mode);
});

test('the facts table says what each mode is', (t) => {
  const row = (m: (typeof MODES)[number]) => {
    const f = lvsMode(m).facts;
    return [
      f.forwardingFlag,
      f.repliesBypassDirector,
      f.portMapping === true,
      f.realServerSees,
      f.realServerGateway,
      f.directorForwards,
      f.vsConntrack,
      f.vipDevice ?? '-',
    ];
  };
  t.deepEqual(row('nat'), ['-m', false, true, 'client', 'director', true, false, '-']);
  t.deepEqual(row('dr'), ['-g', true, false, 'client', 'router', false, false, 'lo']);
  t.deepEqual(row('tun'), ['-i', true, false, 'client', 'router', false, false, 'tunl0']);
  t.deepEqual(row('fullnat'), ['-m', false, true, 'director', 'router', true, true, '-']);
});

test('replies that bypass the director never cross its hooks; those that do, cross forward', (t) => {
  for (const mode of MODES) {
    const { repliesBypassDirector, walk } = lvsMode(mode).facts;
    t.is(walk.reply.length === 0, repliesBypassDirector, mode);
    if (!repliesBypassDirector) t.true(walk.reply.includes('forward'), mode);
  }
});

const places = { client: 'client', gateway: 'gateway', director: 'director', realServer: 'rs1', lan: 'lan', rsNet: 'far', clientNet: 'outside' };
const path = (hops: Array<{ from: string; to: string }>) => [hops[0].from, ...hops.map((h) => h.to)].join(' -> ');

test('each mode promises its reply path', (t) => {
  t.is(path(lvsMode('dr').replyPath({ ...places, rsNet: 'lan' })), 'rs1 -> gateway -> client');
  t.is(path(lvsMode('tun').replyPath(places)), 'rs1 -> gateway -> client');
  t.is(path(lvsMode('nat').replyPath({ ...places, rsNet: 'lan' })), 'rs1 -> director -> gateway -> client');
  t.is(path(lvsMode('fullnat').replyPath(places)), 'rs1 -> gateway -> director -> gateway -> client');
  t.is(path(lvsMode('fullnat').replyPath({ ...places, rsNet: 'lan' })), 'rs1 -> director -> gateway -> client');
});

const placement = (network: string, gateway?: string) => ({
  server: { name: 'rs1', network, gateway },
  networkPath: ['realServers', 0, 'network'],
  gatewayPath: ['realServers', 0, 'gateway'],
  directorNetwork: 'lan',
  directorAddress: '10.10.0.2',
  routerAddress: network === 'lan' ? '10.10.0.1' : '10.30.1.1',
});

test('the rules: DR and NAT keep real servers on the director segment, TUN and FULLNAT do not', (t) => {
  for (const mode of MODES) {
    const problems = realServerRules(mode, lvsMode(mode).facts, placement('far'));
    t.is(problems.length, mode === 'dr' || mode === 'nat' ? 1 : 0, mode);
  }
  t.regex(realServerRules('dr', lvsMode('dr').facts, placement('far'))[0].message, /only rewrites MAC addresses/);
});

test('the rules: a NAT real server routes through the director; the others never do', (t) => {
  t.deepEqual(realServerRules('nat', lvsMode('nat').facts, placement('lan', '10.10.0.2')), []);
  t.regex(realServerRules('nat', lvsMode('nat').facts, placement('lan', '10.10.0.1'))[0].message, /must be the director \(10\.10\.0\.2\)/);
  for (const mode of ['dr', 'tun', 'fullnat'] as const) {
    t.regex(realServerRules(mode, lvsMode(mode).facts, placement('lan', '10.10.0.2'))[0].message, /must not be the director/);
    t.regex(realServerRules(mode, lvsMode(mode).facts, placement('lan', '10.10.0.77'))[0].message, /is not a router of network "lan"; allowed: 10\.10\.0\.1/);
  }
});

test('the rules: only NAT and FULLNAT map ports, and the others say why not', (t) => {
  t.deepEqual(portRules('nat', lvsMode('nat').facts, 80, 8080, ['p']), []);
  t.deepEqual(portRules('fullnat', lvsMode('fullnat').facts, 80, 8080, ['p']), []);
  t.regex(portRules('dr', lvsMode('dr').facts, 80, 8080, ['p'])[0].message, /^dr cannot map ports \(the IP header is not rewritten\)/);
  t.regex(portRules('tun', lvsMode('tun').facts, 80, 8080, ['p'])[0].message, /^tun cannot map ports \(the inner packet travels unchanged\)/);
  t.deepEqual(portRules('tun', lvsMode('tun').facts, 80, 80, ['p']), []);
});
