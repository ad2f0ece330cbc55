import test from 'ava';
import { benchConfig } from '../../src/bench/bench-config.js';
import { ratioOverNat, shapeChecks, type BenchResults, type FailoverRun, type OffloadRow, type ThroughputRow } from '../../src/bench/bench-results.js';
import type { Family, Mode } from '../../src/model/lab.js';
import { benchPlots, median, renderBenchReport } from '../../src/bench/bench-report.js';

const MIB = 1024 * 1024;
const row = (mode: Mode, servers: number, mbit: number, errors = 0): ThroughputRow => ({ mode, servers, mbit, errors, perServer: {} });
const offload = (mode: Mode, share: number, family: Family = 'ipv4'): OffloadRow => ({
  mode,
  family,
  replyBytes: MIB,
  requests: 4,
  directorBytes: share * MIB,
  directorPackets: 400,
  clientBytes: MIB,
});

/** The shape the claim predicts, as the quick bench measures it. */
function healthy(): BenchResults {
  return {
    config: benchConfig(true),
    where: 'in a test',
    kernel: '6.1.0',
    seconds: 90,
    scale: [],
    throughput: [row('nat', 4, 4.8), row('dr', 4, 30.6), row('tun', 4, 30.6), row('fullnat', 4, 4.9)],
    offload: [offload('nat', 2.04), offload('dr', 0.016), offload('tun', 0.019), offload('fullnat', 2.04), offload('dr', 0.018, 'ipv6')],
    ha: {
      failovers: [failover(true, 3100, true), failover(false, 3300, false)],
      removals: [{ checkInterval: 1, budgetMs: 5500, removedMs: 1900 }],
    },
  };
}

const failover = (sync: boolean, takeoverMs: number | undefined, downloadIntact: boolean): FailoverRun => ({
  advertInterval: 1,
  sync,
  takeoverMs,
  takeoverBudgetMs: 6600,
  outageMs: 4200,
  downloadIntact,
  downloadUnderWay: true,
  checksPassed: 6,
  checks: 6,
});

const failing = (r: BenchResults) =>
  shapeChecks(r)
    .filter((c) => !c.ok)
    .map((c) => `${c.name} (${c.observed})`);

test('the claim holds on healthy numbers: every check passes', (t) => {
  t.deepEqual(failing(healthy()), []);
  t.is(ratioOverNat(healthy().throughput, 'dr', 4)!.toFixed(2), '6.38');
});

test('DR or TUN under 3x NAT at 4 real servers fails and says the ratio', (t) => {
  const r = healthy();
  r.throughput[1] = row('dr', 4, 12);
  t.deepEqual(failing(r), ["dr at 4 real servers reaches at least 3x nat's throughput (2.5x)"]);
});

test('a mode not measured fails rather than passing by default', (t) => {
  const r = healthy();
  r.throughput = r.throughput.filter((x) => x.mode !== 'tun');
  t.deepEqual(failing(r), ["tun at 4 real servers reaches at least 3x nat's throughput (not measured)"]);
});

test('a missing throughput or offload row fails as not measured instead of producing no check', (t) => {
  const r = healthy();
  r.throughput = r.throughput.filter((x) => x.mode !== 'fullnat');
  r.offload = r.offload.filter((x) => x.mode !== 'dr' || x.family === 'ipv6');
  t.deepEqual(failing(r), [
    "fullnat with 4 real server(s) stays at the director's limit (5 Mbit/s, within 60-115%) (not measured)",
    "dr: the director carries under 10% of a reply's size (not measured)",
  ]);
});

test("NAT above the director's limit (the limit did not hold) or far below it (a broken run) fails", (t) => {
  const above = healthy();
  above.throughput[0] = row('nat', 4, 6.9);
  t.deepEqual(failing(above), ["nat with 4 real server(s) stays at the director's limit (5 Mbit/s, within 60-115%) (6.9 Mbit/s)"]);
  const below = healthy();
  below.throughput[3] = row('fullnat', 4, 1);
  t.deepEqual(failing(below), ["fullnat with 4 real server(s) stays at the director's limit (5 Mbit/s, within 60-115%) (1.0 Mbit/s)"]);
});

test('a DR director that carries the replies, or a NAT director that does not, fails', (t) => {
  const r = healthy();
  r.offload[1] = offload('dr', 2.0);
  r.offload[0] = offload('nat', 0.02);
  t.deepEqual(failing(r), [
    'nat: the director carries each reply (in and out: at least 2x its size) (0.020x the reply size)',
    "dr: the director carries under 10% of a reply's size (2.000x the reply size)",
  ]);
});

test('the IPv6 offload rows are judged on their own: an IPv6 DR director carrying the replies fails, a missing IPv6 row is not measured', (t) => {
  const r = healthy();
  r.offload[4] = offload('dr', 2.0, 'ipv6');
  t.deepEqual(failing(r), ["dr over IPv6: the director carries under 10% of a reply's size (2.000x the reply size)"]);
  r.offload = r.offload.filter((x) => x.family === 'ipv4');
  t.deepEqual(failing(r), ["dr over IPv6: the director carries under 10% of a reply's size (not measured)"]);
  t.regex(renderBenchReport(healthy()), /\| dr \(IPv6\) \| 1 MiB \| 18874 \| 400\.0 \| 0\.018 \|/);
});

test('failed downloads fail the run', (t) => {
  const r = healthy();
  r.throughput[2] = row('tun', 4, 30, 3);
  t.deepEqual(failing(r), ['every download of the throughput runs completed without error (3 failed)']);
});

test('the report has the offload and throughput tables, the ratios and the checks; the plots are SVG', (t) => {
  const r = healthy();
  const text = renderBenchReport(r);
  t.regex(text, /\| dr \| 1 MiB \| 16777 \| 400\.0 \| 0\.016 \|/);
  t.regex(text, /\| \*\*DR \/ NAT\*\* \| \*\*6\.4x\*\* \|/);
  t.regex(text, /- ok: tun at 4 real servers reaches at least 3x nat's throughput \(6\.4x\)/);
  t.notRegex(text, /Lab cost/);
  const plots = benchPlots(r);
  t.deepEqual(
    plots.map((p) => p.file),
    ['throughput.svg', 'offload.svg'],
  );
  for (const p of plots) t.regex(p.svg, /^<svg [^>]*>[\s\S]*<\/svg>\n$/);
  t.regex(plots[0].svg, /director&apos;s limit/);
});

test('the HA claim fails on a late removal, a takeover past its budget or never, a synced download broken, an unsynced one intact', (t) => {
  const r = healthy();
  r.ha.removals = [{ checkInterval: 1, budgetMs: 5500, removedMs: undefined }];
  r.ha.failovers = [{ ...failover(true, undefined, false), downloadEnd: '2891916 bytes, curl exit status 18' }, failover(false, 3300, true)];
  t.deepEqual(failing(r), [
    'a dead real server leaves the table within its check budget (1 run(s) per check interval 1 s) (never of 5.5 s)',
    'the backup takes the VIP within the VRRP budget in every failover (1 with sync) (never of 6.6 s)',
    'with sync, the download under way at a failover arrives whole every time (0/1 intact (broken: 2891916 bytes, curl exit status 18))',
    'without sync, the download under way at a failover breaks every time (0/1 broken)',
  ]);
  const missing = healthy();
  missing.ha = { failovers: [], removals: [] };
  t.is(failing(missing).length, 4, 'runs that never happened fail as not measured');
  // Over before the link went down: whole or broken, it crossed no failover and proves neither claim.
  const early = healthy();
  early.ha.failovers = early.ha.failovers.map((f) => ({ ...f, downloadUnderWay: false }));
  t.deepEqual(failing(early), [
    'with sync, the download under way at a failover arrives whole every time (1/1 intact; 1 ended before the fault)',
    'without sync, the download under way at a failover breaks every time (1/1 broken; 1 ended before the fault)',
  ]);
  // Broken for want of any director: no takeover, nothing proven about sync.
  const untaken = healthy();
  untaken.ha.failovers = [failover(true, 3100, true), failover(false, undefined, false)];
  t.deepEqual(failing(untaken), ['without sync, the download under way at a failover breaks every time (1/1 broken; 1 without a takeover)']);
});

test('the HA table: per advert interval and sync, the median and max of takeover and outage; removals per check interval', (t) => {
  const r = healthy();
  r.ha.failovers.push({ ...failover(true, 2500, true), outageMs: 6000 }, { ...failover(true, 5000, true), outageMs: 3000 });
  const report = renderBenchReport(r);
  t.regex(report, /\| 1 s \| yes \| 3 \| 3\.1 s \/ 5\.0 s \| 4\.2 s \/ 6\.0 s \| 3\/3 \| 18\/18 \|/);
  t.regex(report, /\| 1 s \| no \| 1 \| 3\.3 s \/ 3\.3 s \| 4\.2 s \/ 4\.2 s \| 0\/1 \| 6\/6 \|/);
  t.regex(report, /\| 1 s \| 5\.5 s \| 1 \| 1\.9 s \/ 1\.9 s \|/);
  t.is(median([3, 1, 2]), 2);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.is(median([]), undefined);
});

test('--only: a part left out has nothing configured, and the parts keep their order', (t) => {
  const ha = benchConfig(true, ['ha']);
  t.deepEqual([ha.parts, ha.modes, ha.offload6Modes, ha.throughputServers, ha.scaleServers], [['ha'], [], [], [], []]);
  t.deepEqual(ha.ha, benchConfig(true).ha);
  const cluster = benchConfig(false, ['cluster']);
  t.deepEqual(cluster.ha, { adverts: [], failovers: 0, unsyncedFailovers: 0, checkIntervals: [], removals: 0 });
  t.deepEqual(cluster.throughputServers, benchConfig(false).throughputServers);
  t.deepEqual(benchConfig(true, ['ha', 'cluster']).parts, ['cluster', 'ha']);
});

test("--only: each part has its own checks, none of the other's, and a part's missing runs still fail", (t) => {
  const names = (r: BenchResults) => shapeChecks(r).map((c) => c.name);
  const all = names(healthy());
  const haOnly: BenchResults = { ...healthy(), config: benchConfig(true, ['ha']), throughput: [], offload: [] };
  const clusterOnly: BenchResults = { ...healthy(), config: benchConfig(true, ['cluster']), ha: { failovers: [], removals: [] } };
  t.deepEqual([...names(clusterOnly), ...names(haOnly)], all);
  t.is(names(haOnly).length, 4);
  t.deepEqual(failing(haOnly), []);
  t.deepEqual(failing(clusterOnly), []);
  // Measured nothing: every check of the part fails, none passes for want of runs.
  t.is(failing({ ...haOnly, ha: { failovers: [], removals: [] } }).length, 4);
  t.is(failing({ ...clusterOnly, throughput: [], offload: [] }).length, names(clusterOnly).length - 1);
});

test('--only ha: the report has the HA tables and checks, no cluster section, no plot and no NaN', (t) => {
  const r: BenchResults = { ...healthy(), config: benchConfig(true, ['ha']), throughput: [], offload: [] };
  const report = renderBenchReport(r);
  t.regex(report, /### High availability/);
  t.notRegex(report, /throughput behind|Director offload|NaN|undefined/);
  t.deepEqual(benchPlots(r), []);
});
