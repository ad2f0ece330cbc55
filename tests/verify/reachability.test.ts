import test from 'ava';
import { join } from 'node:path';
import type { ProbeAnswer } from '../../src/model/observation.js';
import { probeTargets, reachabilityChecks, requestCount } from '../../src/verify/reachability.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { TOPOLOGIES } from '../helpers/paths.js';

const answer = (node: string | undefined, replyFrom = '10.10.0.100:80', ok = true): ProbeAnswer => ({
  protocol: 'tcp',
  target: '10.10.0.100:80',
  ok,
  node,
  replyFrom,
  seenPeer: '198.51.100.10:40000',
  seenLocal: '10.10.0.100:80',
  ms: 3,
});

test('a healthy rr service passes all three checks', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr.yaml'));
  const checks = reachabilityChecks(lab, lab.services[0], 'client', [answer('rs1'), answer('rs2'), answer('rs1'), answer('rs2')]);
  t.deepEqual(
    checks.map((c) => c.ok),
    [true, true, true],
  );
});

test('a real server that never answers fails the spread check, and the check names it', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr.yaml'));
  const [, , spread] = reachabilityChecks(lab, lab.services[0], 'client', [answer('rs1'), answer('rs1'), answer('rs1'), answer('rs1')]);
  t.false(spread.ok);
  t.is(spread.where, 'rs2');
  t.is(spread.observed, 'rs1: 4; never answered: rs2');
});

test('a reply from anywhere but the VIP fails the peer check', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr.yaml'));
  const [, peer] = reachabilityChecks(lab, lab.services[1], 'client', [answer('rs1', '10.10.0.10:80'), answer('rs2')]);
  t.false(peer.ok);
  t.is(peer.observed, '10.10.0.10:80, 10.10.0.100:80');
});

test('unanswered requests fail the answer check with the first error', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr.yaml'));
  const [answers] = reachabilityChecks(lab, lab.services[0], 'client', [
    answer('rs1'),
    { ...answer(undefined, undefined, false), error: 'connect ECONNREFUSED' },
  ]);
  t.false(answers.ok);
  t.is(answers.observed, '1/2 answered (first failure: connect ECONNREFUSED)');
});

test('source hashing must keep a client on one real server', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr-wrr8.yaml'));
  const sh = lab.services[1];
  t.true(reachabilityChecks(lab, sh, 'client', [answer('rs3'), answer('rs3')])[2].ok);
  const moved = reachabilityChecks(lab, sh, 'client', [answer('rs3'), answer('rs4')])[2];
  t.false(moved.ok);
  t.regex(moved.name, /kept on one real server \(sh\)/);
});

test('wrr is probed over one full cycle of weights', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr-wrr8.yaml'));
  t.is(requestCount(lab.services[0]), 20);
  t.deepEqual(
    probeTargets(lab).map((p) => p.count),
    [20, 16],
  );
});
