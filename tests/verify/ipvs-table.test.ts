import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipvsRules } from '../../src/plan/build-plan.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { ipvsDifferences, parseIpvsRules } from '../../src/verify/ipvs-table.js';
import { FIXTURES, TOPOLOGIES } from '../helpers/paths.js';

/** `ipvsadm -S -n` of the dr-wrr8 lab, captured in the microVM. */
const captured = readFileSync(join(FIXTURES, 'captured', 'ipvsadm-save-dr-wrr8.txt'), 'utf8').split('\n');
const declared = async () => parseIpvsRules(ipvsRules(await loadLab(join(TOPOLOGIES, 'dr-wrr8.yaml'))));

test('the live table captured from a healthy dr-wrr8 lab equals the declared one', async (t) => {
  t.deepEqual(ipvsDifferences(await declared(), parseIpvsRules(captured)), []);
});

test('ipvsadm -S of a TUN lab names the default tunnel type, which is no difference', async (t) => {
  const tun = parseIpvsRules(ipvsRules(await loadLab(join(TOPOLOGIES, 'tun.yaml'))));
  // As captured from the shipped tun lab: every member carries --tun-type ipip.
  const live = ipvsRules(await loadLab(join(TOPOLOGIES, 'tun.yaml'))).map((l) => (l.startsWith('-a') ? `${l} --tun-type ipip` : l));
  t.deepEqual(ipvsDifferences(tun, parseIpvsRules(live)), []);
  t.regex(
    ipvsDifferences(tun, parseIpvsRules(live.map((l) => l.replace('--tun-type ipip', '--tun-type gue --tun-port 6080')))).join('\n'),
    /options --tun-type gue --tun-port 6080, declared none/,
  );
});

const edits: Array<[string, (lines: string[]) => string[], RegExp]> = [
  [
    'a scheduler changed at run time',
    (l) => l.map((x) => x.replace('-A -t 10.10.0.100:80 -s wrr', '-A -t 10.10.0.100:80 -s wlc')),
    /^tcp 10\.10\.0\.100:80: scheduler wlc, declared wrr$/,
  ],
  ['persistence added', (l) => l.map((x) => x.replace('-s sh', '-s sh -p 300')), /^tcp 10\.10\.0\.100:443: persistence 300, declared none$/],
  ['a netmask on persistence', (l) => l.map((x) => x.replace('-s sh', '-s sh -p 300 -M 255.255.255.0')), /options -M 255\.255\.255\.0, declared none/],
  [
    'a weight changed',
    (l) => l.map((x) => x.replace('10.10.0.17:80 -g -w 4', '10.10.0.17:80 -g -w 0')),
    /^tcp 10\.10\.0\.100:80: member 10\.10\.0\.17:80 weight 0, declared 4$/,
  ],
  [
    'forwarding switched to NAT',
    (l) => l.map((x) => x.replace('10.10.0.10:443 -g', '10.10.0.10:443 -m')),
    /member 10\.10\.0\.10:443 forwards by nat \(-m\), declared dr \(-g\)/,
  ],
  ['a member dropped', (l) => l.filter((x) => !x.includes('10.10.0.11:443')), /^tcp 10\.10\.0\.100:443: member 10\.10\.0\.11:443 missing$/],
  ['a member added', (l) => [...l, '-a -t 10.10.0.100:80 -r 10.10.0.99:80 -g -w 1'], /^tcp 10\.10\.0\.100:80: member 10\.10\.0\.99:80 not declared$/],
  [
    'a member re-pointed to another port',
    (l) => l.map((x) => x.replace('10.10.0.12:80 ', '10.10.0.12:8080 ')),
    /member 10\.10\.0\.12:80 missing[\s\S]*member 10\.10\.0\.12:8080 not declared/,
  ],
  ['a service removed', (l) => l.filter((x) => !x.includes(':443')), /^tcp 10\.10\.0\.100:443: missing$/],
  ['a service added', (l) => [...l, '-A -u 10.10.0.100:53 -s rr'], /^udp 10\.10\.0\.100:53: not declared$/],
  ['an empty table (ipvsadm failed)', () => ['ipvsadm failed: no such namespace'], /missing/],
];
for (const [what, edit, expected] of edits) {
  test(`a live table with ${what} differs, and the difference is named`, async (t) => {
    const differences = ipvsDifferences(await declared(), parseIpvsRules(edit(captured)));
    t.true(differences.length > 0);
    t.regex(differences.join('\n'), new RegExp(expected.source, 'm'));
  });
}
