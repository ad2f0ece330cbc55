import test from 'ava';
import { join } from 'node:path';
import { expectedPaths, pathChecks, spreadCheck } from '../../src/verify/judge.js';
import type { Observation, Transfer } from '../../src/verify/observe.js';
import type { Counters, LinkCounters } from '../../src/verify/parse-observations.js';
import type { ProbeAnswer } from '../../src/model/observation.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { TOPOLOGIES } from '../helpers/paths.js';

const lab = (name: string) => loadLab(join(TOPOLOGIES, `${name}.yaml`));
const render = (hops: Array<{ from: string; to: string }>) => [hops[0].from, ...hops.map((h) => h.to)].join(' -> ');

test('the promised paths follow the mode and where the real server sits', async (t) => {
  const dr = expectedPaths(await lab('dr'), 'rs1');
  t.is(render(dr.request), 'client -> gateway -> director -> rs1');
  t.is(render(dr.reply), 'rs1 -> gateway -> client');
  t.is(render(expectedPaths(await lab('nat'), 'rs2').reply), 'rs2 -> director -> gateway -> client');
  t.is(render(expectedPaths(await lab('tun'), 'rs1').request), 'client -> gateway -> director -> gateway -> rs1');
  t.is(render(expectedPaths(await lab('fullnat'), 'rs1').reply), 'rs1 -> gateway -> director -> gateway -> client');
});

const link = (rxBytes: number, txBytes: number, rxPackets = 10, txPackets = 10): LinkCounters => ({ rxBytes, txBytes, rxPackets, txPackets });
const MiB = 1048576;

function drTransfer(relayedByDirector: boolean): Transfer {
  const delta: Counters = new Map([
    ['dr-client', new Map([['eth0', link(MiB, 20000, 400, 200)]])],
    [
      'dr-gateway',
      new Map([
        ['eth0', link(20000, MiB, 200, 400)],
        ['eth1', link(MiB, 20000, 400, 200)],
      ]),
    ],
    ['dr-director', new Map([['eth0', link(20000 + (relayedByDirector ? MiB : 0), 20000 + (relayedByDirector ? MiB : 0), 200, 200)]])],
    ['dr-rs1', new Map([['eth0', link(20000, MiB, 200, 400)]])],
  ]);
  return { node: 'rs1', bytes: MiB, delta };
}

const observation = (t: Transfer, service: Observation['transferService']): Observation => ({
  answers: new Map(),
  transfers: [t],
  transferService: service,
  directorFrames: [],
  gatewayArp: [],
  macs: new Map(),
  defaultRoutes: new Map(),
  timings: { captures: 0, probes: 0, transfers: 0, readouts: 0 },
  ipvsRules: [],
  walk: 'not observed in this test',
});

test('a DR reply that crosses rs1 -> gateway -> client directly passes the path check', async (t) => {
  const l = await lab('dr');
  const checks = pathChecks(l, observation(drTransfer(false), l.services[0]));
  t.true(checks.find((c) => c.name.includes('reply path'))!.ok);
  t.true(checks.find((c) => c.name.includes('request path'))!.ok);
});

test('a DR reply relayed by the director on the shared LAN fails the hop rs1 -> gateway, naming the relay', async (t) => {
  const l = await lab('dr');
  const reply = pathChecks(l, observation(drTransfer(true), l.services[0])).find((c) => c.name.includes('reply path'))!;
  t.false(reply.ok);
  t.is(reply.where, 'rs1 -> gateway');
  t.regex(reply.observed, /rs1 -> gateway: 100% \(relayed by director\)/);
});

const answer = (node: string): ProbeAnswer => ({ protocol: 'tcp', target: '10.10.0.100:80', ok: true, node, ms: 1 });

test('rr must spread within plus or minus one; wrr must follow the weights exactly', async (t) => {
  const dr = await lab('dr');
  t.true(spreadCheck(dr.services[0], 'client', ['rs1', 'rs2', 'rs1', 'rs2'].map(answer))!.ok);
  t.false(spreadCheck(dr.services[0], 'client', ['rs1', 'rs1', 'rs1', 'rs2'].map(answer))!.ok);
  const wrr8 = await lab('dr-wrr8');
  const weights = wrr8.services[0].members.flatMap((m) => Array.from({ length: m.weight }, () => m.realServer));
  t.true(spreadCheck(wrr8.services[0], 'client', weights.map(answer))!.ok);
  const skewed = spreadCheck(wrr8.services[0], 'client', [...weights.slice(1), 'rs8'].map(answer))!;
  t.false(skewed.ok);
  t.is(skewed.where, 'rs1, rs8');
  t.is(spreadCheck(wrr8.services[1], 'client', []), undefined, 'sh has no spread to check');
});
