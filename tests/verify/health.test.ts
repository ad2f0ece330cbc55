/** The health assertions judged from timings (pure): within budget, late, never, not there to begin with, and what clients saw. */
import test from 'ava';
import { join } from 'node:path';
import type { ProbeAnswer } from '../../src/model/observation.js';
import { parseTopology } from '../../src/load/load-topology.js';
import { loadLab, validateLoaded } from '../../src/validate/validate-topology.js';
import { checkedServices, healthVictim, judgeHealth, type HealthObservation } from '../../src/verify/health.js';
import { TOPOLOGIES } from '../helpers/paths.js';

const lab = () => loadLab(join(TOPOLOGIES, 'dr-keepalived.yaml'));
const answer = (node: string, ok = true): ProbeAnswer => ({
  protocol: 'tcp',
  target: '10.10.0.100:80',
  ok,
  node: ok ? node : undefined,
  error: ok ? undefined : 'ECONNREFUSED',
  ms: 3,
});
const healthy: HealthObservation = {
  victim: 'rs1',
  missingBefore: [],
  removed: { startMs: 1700, endMs: 2000 },
  stayedIn: [],
  probes: [answer('rs2'), answer('rs2')],
  returned: { startMs: 1100, endMs: 1300 },
  missingAfter: [],
};
const verdicts = async (obs: HealthObservation) => judgeHealth(await lab(), obs).map((r) => `${r.ok ? 'pass' : 'FAIL'}: ${r.observed}`);

test('a removal within the budget, clients served by the others, a return within interval + timeout: three passes', async (t) => {
  const results = judgeHealth(await lab(), healthy);
  t.deepEqual(
    results.map((r) => [r.ok, r.where, r.expected]),
    [
      [true, 'director: rs1', 'rs1 out of tcp 10.10.0.100:80 within 5.5 s (interval + timeout + retries x (retryDelay + timeout))'],
      [true, 'client -> VIP', '2 answers, none from rs1'],
      [true, 'director: rs1', 'rs1 back in every checked service within 3 s (interval + timeout)'],
    ],
  );
  t.is(results[0].observed, 'out after 1.7 s (the table read that showed it took until 2.0 s)');
  t.is(results[1].observed, '2/2 answered by rs2');
});

test('a read that started past the budget fails, even though it saw the server gone', async (t) => {
  t.deepEqual(
    (await verdicts({ ...healthy, removed: { startMs: 5600, endMs: 5900 } }))[0],
    'FAIL: out after 5.6 s (the table read that showed it took until 5.9 s)',
  );
  t.deepEqual(
    (await verdicts({ ...healthy, removed: { startMs: 5400, endMs: 6200 } }))[0],
    'pass: out after 5.4 s (the table read that showed it took until 6.2 s)',
  );
});

test('a server that never left, or was never there, fails removal; requests then fail too, whatever the clients saw', async (t) => {
  const stayed = await verdicts({ ...healthy, removed: undefined, stayedIn: ['tcp 10.10.0.100:80'] });
  t.deepEqual(stayed.slice(0, 2), ['FAIL: still in tcp 10.10.0.100:80 7.5 s after its service stopped', 'FAIL: 2/2 answered by rs2']);
  const absent = await verdicts({ ...healthy, missingBefore: ['udp 10.10.0.100:80'] });
  t.is(absent[0], 'FAIL: rs1 was not in udp 10.10.0.100:80 before its service stopped');
});

test('a request that failed or reached the dead server fails the clients check; no return within the budget fails the last', async (t) => {
  t.is(
    (await verdicts({ ...healthy, probes: [answer('rs2'), answer('rs1', false)] }))[1],
    'FAIL: 1/2 failed or reached rs1; e.g. tcp 10.10.0.100:80: ECONNREFUSED',
  );
  t.is((await verdicts({ ...healthy, probes: [answer('rs1')] }))[1], 'FAIL: 1/1 failed or reached rs1; e.g. tcp 10.10.0.100:80: answered by rs1');
  t.is((await verdicts({ ...healthy, probes: [] }))[1].slice(0, 4), 'FAIL');
  t.is(
    (await verdicts({ ...healthy, returned: undefined, missingAfter: ['tcp 10.10.0.100:80'] }))[2],
    'FAIL: still missing from tcp 10.10.0.100:80 5.0 s after its service started',
  );
  t.is(
    (await verdicts({ ...healthy, returned: { startMs: 3100, endMs: 3300 } }))[2],
    'FAIL: back after 3.1 s (the table read that showed it took until 3.3 s)',
  );
});

test('the victim serves every checked service beside another member; services checked by none are left out', (t) => {
  const l = validateLoaded(
    parseTopology(
      'name: v\nmode: dr\nrealServers: 3\nkeepalived: true\nservices:\n  - { port: 80, realServers: [rs2, rs3] }\n  - { port: 81, check: { type: none } }\n',
      'v.yaml',
    ),
  );
  t.deepEqual(
    checkedServices(l).map((s) => s.port),
    [80],
  );
  t.is(healthVictim(l)?.name, 'rs2');
  const alone = validateLoaded(parseTopology('name: v\nmode: dr\nrealServers: 1\nkeepalived: true\n', 'v.yaml'));
  t.is(healthVictim(alone), undefined, 'with one real server nobody could serve while it is down: no health checks');
});
