/** A director pair's failover judged from what was seen (pure): the VIP's holders, the takeover, the gateway, the outage, the download. */
import test from 'ava';
import { createHash } from 'node:crypto';
import type { Lab } from '../../src/model/lab.js';
import { parseTopology } from '../../src/load/load-topology.js';
import { validateLoaded } from '../../src/validate/validate-topology.js';
import {
  addressAdded,
  downloadPorts,
  downloadUnderWay,
  firstEventAt,
  judgeFailover,
  linkWentDown,
  longestGap,
  parseDownload,
  masterDownInterval,
  SPANNING_BYTES,
  takeoverBudget,
  type FailoverObservation,
  type Timed,
} from '../../src/verify/failover.js';
import { renderHaTable, summarizeFailover } from '../../src/verify/summary.js';

const pair = (extra = ''): Lab => validateLoaded(parseTopology(`name: ha\nmode: dr\ndirectors: 2\nkeepalived:${extra || ' true'}\n`, 'ha.yaml'));
const probe = (at: number, ok: boolean): Timed => ({ protocol: 'tcp', target: '10.10.0.100:80', ok, node: ok ? 'rs1' : undefined, ms: 5, at });
/** Probes every 100 ms from t=0 (to t=10 s by default), unanswered between the two times given. */
const probes = (downFrom: number, downTo: number, count = 101) =>
  Array.from({ length: count }, (_, i) => probe(i * 100, i * 100 < downFrom || i * 100 >= downTo));
const healthy: FailoverObservation = {
  master: 'director1',
  backup: 'director2',
  holdersBefore: ['director1'],
  takeoverMs: 3900,
  holdersAfter: ['director2'],
  gatewayMac: 'aa:00:00:00:00:02',
  macs: { director1: 'aa:00:00:00:00:01', director2: 'aa:00:00:00:00:02' },
  probes: probes(2000, 6000, 151),
  faultAt: 1900,
  download: { bytes: SPANNING_BYTES, node: 'rs2', endedBy: 12_000 },
  holdersRestored: ['director1'],
};
const verdicts = (obs: FailoverObservation, lab = pair()) => judgeFailover(lab, obs).map((r) => `${r.ok ? 'pass' : 'FAIL'}: ${r.observed}`);

test('the master-down interval is three adverts plus the skew of the backup priority (RFC 3768); the budget two adverts and 6 s more', (t) => {
  t.is(masterDownInterval(pair()), 3 + (256 - 100) / 256);
  t.is(takeoverBudget(pair()), 11 + (256 - 100) / 256);
  t.is(masterDownInterval(pair('\n  vrrp: { advertInterval: 0.2 }')), 0.6 + ((256 - 100) / 256) * 0.2);
});

test('the longest gap is between two answered probes, or runs to the last probe when answers never came back', (t) => {
  t.deepEqual(longestGap(probes(2000, 6000)), { ms: 4100, from: 1900, to: 6000, open: false });
  t.deepEqual(longestGap([probe(0, true)]), { ms: 0, open: false });
  t.deepEqual(longestGap(probes(2000, 20_000)), { ms: 8100, from: 1900, to: 10_000, open: true });
  t.deepEqual(longestGap(probes(0, 20_000)), { ms: 10_000, from: 0, to: 10_000, open: true });
});

test('a failover as promised: six passes, named and measured', (t) => {
  const results = judgeFailover(pair(), healthy);
  t.deepEqual(
    results.map((r) => [r.ok, r.name]),
    [
      [true, 'exactly one director holds the VIP: the VRRP master'],
      [true, "the backup takes the VIP when the master's link goes down, within the VRRP master-down interval"],
      [true, 'the gateway follows the new owner of the VIP (gratuitous ARP)'],
      [true, 'client-visible outage: the longest time without an answer through the VIP, probing every 100 ms'],
      [true, 'a download under way at the failover completes through the backup (connections synced)'],
      [true, 'the master takes the VIP back when its link returns (preemption)'],
    ],
  );
  t.is(results[1].observed, 'on director2 after 3.9 s');
  t.is(results[3].observed, '4.1 s (111/151 probes answered)');
});

test('split brain, a late or missing takeover, a gateway left behind, a long outage, a broken download, no preemption: each fails', (t) => {
  t.is(verdicts({ ...healthy, holdersBefore: ['director1', 'director2'] })[0], 'FAIL: on director1 and director2');
  t.is(verdicts({ ...healthy, takeoverMs: 11_700 })[1], 'FAIL: on director2 after 11.7 s');
  t.is(verdicts({ ...healthy, takeoverMs: undefined, holdersAfter: [] })[1], 'FAIL: on no director 14.6 s later');
  t.is(verdicts({ ...healthy, gatewayMac: 'aa:00:00:00:00:01' })[2], 'FAIL: aa:00:00:00:00:01 (director1)');
  t.is(verdicts({ ...healthy, gatewayMac: undefined })[2], 'FAIL: no entry');
  t.is(verdicts({ ...healthy, probes: probes(1000, 17_500, 201) })[3], 'FAIL: 16.6 s (36/201 probes answered)');
  t.is(
    verdicts({ ...healthy, probes: probes(1000, 30_000, 201) })[3],
    'FAIL: no answer in the last 19.1 s of the probes (they ran until 18.1 s after the fault): the answers never came back (10/201 probes answered)',
  );
  t.is(verdicts({ ...healthy, faultAt: -50 })[3], 'FAIL: the probes (151) did not span the failover');
  // Probes that stop before the backup took over prove nothing, whatever they saw.
  t.is(verdicts({ ...healthy, probes: probes(99_000, 99_000, 50) })[3], 'FAIL: the probes (50) did not span the failover');
  t.is(verdicts({ ...healthy, download: { ...healthy.download, bytes: 400_000, error: 'curl exit status 56' } })[4], 'FAIL: 400000 bytes, curl exit status 56');
  t.is(verdicts({ ...healthy, holdersRestored: ['director2'] })[5], 'FAIL: on director2');
  // Whole, but over before the link went down: it crossed no failover.
  t.is(verdicts({ ...healthy, download: { ...healthy.download, endedBy: 1400 } })[4], `FAIL: ${SPANNING_BYTES} bytes; it ended 0.5 s before the fault`);
  // Ended after the fault's command began but before the link went down (run 44: a NAT pair's unsynced download
  // passed so): it crossed no failover.
  t.is(
    verdicts({ ...healthy, linkDownAt: 2600, download: { ...healthy.download, endedBy: 2300 } })[4],
    `FAIL: ${SPANNING_BYTES} bytes; it ended 0.3 s before the fault`,
  );
  t.true(downloadUnderWay({ ...healthy, linkDownAt: 2600, download: { ...healthy.download, endedBy: 2700 } }));
  t.is(verdicts({ ...healthy, download: { bytes: SPANNING_BYTES, node: 'rs2' } })[4], `FAIL: ${SPANNING_BYTES} bytes; curl did not say how long it took`);
  // Whole, but nobody took over: it went on once the master's link came back, never through the backup.
  t.is(verdicts({ ...healthy, takeoverMs: undefined })[4], `FAIL: ${SPANNING_BYTES} bytes; the backup never took the VIP`);
});

test('the probes end a few seconds after the takeover: enough to measure the outage; with no takeover they must outlast the outage budget', (t) => {
  // Stopped 3 s after a takeover at 5.8 s: the outage is whole in the window.
  t.is(verdicts({ ...healthy, probes: probes(2000, 6000, 91) })[3], 'pass: 4.1 s (51/91 probes answered)');
  // Nobody took over (the backup's keepalived dead): silence to the end is an outage that never ended.
  const dead = { ...healthy, takeoverMs: undefined, holdersAfter: ['director1'], probes: probes(2000, 99_000, 181) };
  t.is(
    verdicts(dead)[3],
    'FAIL: no answer in the last 16.1 s of the probes (they ran until 16.1 s after the fault): the answers never came back (20/181 probes answered)',
  );
  // ...judged only once the probes ran past the outage budget (15.1 s here).
  t.is(verdicts({ ...dead, probes: probes(2000, 99_000, 150) })[3], 'FAIL: the probes (150) did not span the failover');
  // A last probe lost by chance after the outage ended is no outage of its own.
  const lostLast = probes(2000, 6000, 91).map((p, i, all) => (i === all.length - 1 ? { ...p, ok: false } : p));
  t.is(verdicts({ ...healthy, probes: lostLast })[3], 'pass: 4.1 s (50/91 probes answered)');
});

test('without sync the download is expected to break, and a download that survives fails that check', (t) => {
  const noSync = pair('\n  sync: false');
  const broken = { ...healthy, download: { ...healthy.download, bytes: 300_000, error: 'curl exit status 56' } };
  const results = judgeFailover(noSync, broken);
  t.deepEqual([results[4].name, results[4].ok], ['without sync, a download under way at the failover breaks (the backup does not know its connection)', true]);
  t.false(judgeFailover(noSync, healthy)[4].ok);
  // A break before the fault, or with nobody taking over, is no break of the failover's.
  const verdict = (obs: FailoverObservation) => judgeFailover(noSync, obs)[4];
  t.is(verdict({ ...broken, download: { ...broken.download, endedBy: 1000 } }).observed, '300000 bytes, curl exit status 56; it ended 0.9 s before the fault');
  t.false(verdict({ ...broken, download: { ...broken.download, endedBy: 1000 } }).ok);
  t.is(verdict({ ...broken, takeoverMs: undefined }).observed, '300000 bytes, curl exit status 56; the backup never took the VIP');
  t.false(verdict({ ...broken, takeoverMs: undefined }).ok);
});

test("the demo's HA row: the takeover, the longest outage, the download intact or broken, the checks", (t) => {
  const lab = pair();
  const row = summarizeFailover(lab, healthy, judgeFailover(lab, healthy));
  t.deepEqual(row, {
    lab: 'ha',
    mode: 'dr',
    takeoverMs: 3900,
    outageMs: 4100,
    download: `intact: all ${SPANNING_BYTES} bytes`,
    passed: 6,
    checks: 6,
  });
  const table = renderHaTable(row).split('\n');
  t.is(table.length, 3);
  t.regex(table[2], new RegExp(`^DR pair \\(ha\\) +3\\.9 s +4\\.1 s +intact: all ${SPANNING_BYTES} bytes +6/6$`));
  const broken = { ...healthy, takeoverMs: undefined, download: { bytes: 1000, error: 'curl exit status 18' } };
  const failed = summarizeFailover(lab, broken, judgeFailover(lab, broken));
  t.regex(renderHaTable(failed), new RegExp(`no takeover +4\\.1 s +broken: 1000 of ${SPANNING_BYTES} bytes, curl exit status 18 +3/6`));
});

test("the download's ports: ten, below Linux's ephemeral range, from a random start (a fixed port let a stale synced entry carry a later download)", (t) => {
  t.deepEqual(downloadPorts(0), [20000, 20009]);
  t.deepEqual(downloadPorts(0.9999999), [32750, 32759]);
  const starts = new Set(Array.from({ length: 200 }, () => downloadPorts()[0]));
  t.true(starts.size > 100, `${starts.size} different starts in 200 draws`);
  for (const first of starts) t.true(first >= 20000 && first + 9 < 32768 && first % 10 === 0);
});

test("the takeover's ends come from `ip -ts monitor` as the kernel announced them: the link without UP, the VIP added (not deleted)", (t) => {
  const links = [
    '[2026-12-02T04:55:40.100000] 3: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default ',
    '    link/ether 86:17:33:55:0d:70 brd ff:ff:ff:ff:ff:ff link-netns fnp-switch',
    '[2026-12-02T04:55:40.193598] 3: eth0@if12: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noqueue state DOWN group default ',
  ].join('\n');
  t.is(firstEventAt(links, linkWentDown('eth0')), Date.parse('2026-12-02T04:55:40.193Z'));
  t.is(firstEventAt(links, linkWentDown('eth1')), undefined, 'another device');
  const addresses = [
    '[2026-12-02T04:55:41.000001] [2026-12-02T04:55:43.986956] Deleted 3: eth0    inet 10.10.0.100/32 scope global eth0',
    '       valid_lft forever preferred_lft forever',
    '[2026-12-02T04:55:44.001000] 3: eth0    inet 10.10.0.1000/32 scope global eth0',
    '[2026-12-02T04:55:44.500000] [2026-12-02T04:55:44.684102] 3: eth0    inet 10.10.0.100/32 scope global eth0',
  ].join('\n');
  t.is(firstEventAt(addresses, addressAdded('eth0', '10.10.0.100')), Date.parse('2026-12-02T04:55:44.684Z'), 'the last stamp is the event');
  t.is(firstEventAt('', addressAdded('eth0', '10.10.0.100')), undefined, 'a monitor that saw nothing');
  t.is(firstEventAt('Cannot find device "eth0"\n', linkWentDown('eth0')), undefined);
});

test("the download is whole only with curl's status 0 and the SHA-256 of what the real server sent", (t) => {
  const firstLine = 'node=rs1 peer=198.51.100.10:20003 local=10.10.0.100:80\n';
  const curl = (exitCode: number) => ({ exitCode, stdout: `HTTP/1.0 200 OK\r\nX-Lvslab-Node: rs1\r\n\r\nlvslab-size=${SPANNING_BYTES + firstLine.length}\n` });
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const whole = sha(firstLine + '.'.repeat(SPANNING_BYTES));
  t.deepEqual(parseDownload(curl(0), { firstLine, sha256: whole }), { bytes: SPANNING_BYTES + firstLine.length, node: 'rs1', error: undefined });
  t.is(parseDownload(curl(18), { firstLine, sha256: whole }).error, 'curl exit status 18');
  const corrupt = sha(firstLine + '.'.repeat(SPANNING_BYTES - 1) + 'x');
  t.regex(parseDownload(curl(0), { firstLine, sha256: corrupt }).error ?? '', /SHA-256 is not that of what the real server sent/);
  t.truthy(parseDownload(curl(0), { firstLine: '', sha256: '' }).error, 'no body saved');
  // When it ended at the earliest: the date read before it began plus curl's own time.
  const timed = { exitCode: 0, stdout: `${curl(0).stdout}lvslab-time=10.2345\n` };
  t.is(parseDownload(timed, { firstLine, sha256: whole }, 1_000_000).endedBy, 1_010_235);
  t.is(parseDownload(timed, { firstLine, sha256: whole }).endedBy, undefined, 'no start: no end either');
  const garbled = { exitCode: 0, stdout: `${curl(0).stdout}lvslab-time=1.2.3\n` };
  t.is(parseDownload(garbled, { firstLine, sha256: whole }, 1_000_000).endedBy, undefined, 'a time that is not a number is no time (never NaN)');
});
