/**
 * A director pair, proven: exactly one director holds the VIP (the VRRP master), and when the master's
 * link goes down the backup takes the VIP, the gateway follows it (gratuitous ARP), clients are served
 * again after a measured outage, and a download that was under way completes through the backup when
 * the IPVS sync daemon copied its connection (and breaks without it). The master's link then comes back
 * and it takes the VIP back (preemption), so the lab ends as it began.
 * `observeFailover` does it (commands); `judgeFailover` is pure.
 */
import { directorsOf, type Lab, type Node } from '../model/lab.js';
import type { CheckResult, ProbeAnswer } from '../model/observation.js';
import { SERVICE_COMMAND } from '../model/package-root.js';
import { buildPlan } from '../plan/build-plan.js';
import { faultActions } from '../plan/faults.js';
import type { HostView } from '../apply/host.js';
import { injectFault } from '../apply/inject-fault.js';
import type { CommandRunner } from '../apply/runner.js';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { neighbourMac } from './parse-observations.js';
import { timelineArgv, type TimelineSpec } from './probe-argv.js';
import { readUntil } from './read-until.js';

/** A probe through the VIP this often (ms), each given this long to answer. */
export const PROBE_EVERY_MS = 100;
/**
 * Each probe's own time limit. An answer is a fork of the real server's service under emulation: 0.45-0.85 s
 * on an idle one-vCPU guest, over a second with two directors' health checks, the download and the reads
 * (measured): a 1 s limit turned slow answers into silence.
 */
const PROBE_TIMEOUT_MS = 2500;
/**
 * The download that spans the failover: this many bytes at this rate (bytes/s), about 10 s: longer than the wait
 * for the sync (8 s at most) and the fault after it. It need not outlast the takeover as well: with the master's
 * link down no byte moves until the backup holds the VIP (the client's small receive window fills at once).
 * Whether it was still under way at the fault is checked, not assumed.
 */
export const SPANNING_BYTES = 2_000_000;
const SPANNING_RATE = 200_000;
/** What curl says of the download after it: its size, and how long it took (s). */
const DOWNLOAD_WRITE_OUT = 'lvslab-size=%{size_download}\nlvslab-time=%{time_total}\n';
/**
 * How long the download may take: 10 s of transfer, the wait for the sync, the takeover and TCP's backed-off
 * retransmissions after it. A download still running then has not survived (and does not hold up verify).
 */
const DOWNLOAD_MAX_S = 40;
/** The client's TCP receive buffer during the failover (min, default, max bytes). */
const SMALL_RMEM = '4096 16384 16384';
export type Timed = ProbeAnswer & { at: number };

export interface FailoverObservation {
  master: string;
  backup: string;
  /** Who held the VIP before anything was done. */
  holdersBefore: string[];
  /**
   * From the master's link going down to the VIP arriving on the backup, both as the lab machine's kernel
   * announced them (`ip monitor`); where a monitor saw nothing, from the fault command to the first read
   * that saw the backup hold the VIP.
   */
  takeoverMs?: number;
  holdersAfter: string[];
  /** The gateway's neighbour entry for the VIP after the takeover, and the MACs it could be. */
  gatewayMac?: string;
  macs: Record<string, string>;
  /** The probes through the VIP, and when the link went down (epoch ms, both by the lab machine's clock). */
  probes: Timed[];
  faultAt: number;
  /**
   * When the master's link went down as its kernel announced it (`ip monitor`), where seen: later than `faultAt` by
   * the fault command's own time, and what a download must outlast to have crossed the failover.
   */
  linkDownAt?: number;
  download: {
    bytes: number;
    node?: string;
    error?: string;
    /** The backup listed its connection before the failover. */
    synced?: boolean;
    /** When it ended at the earliest (the lab machine's clock): the date read before it began, plus curl's own time. */
    endedBy?: number;
  };
  /** After the master's link came back: who holds the VIP. */
  holdersRestored: string[];
}

/** When a backup must take over (RFC 3768): three adverts plus the skew of its priority. */
export function masterDownInterval(lab: Lab): number {
  const vrrp = lab.keepalived!.vrrp!;
  const skew = ((256 - vrrp.priorities[1]) / 256) * vrrp.advertInterval;
  return 3 * vrrp.advertInterval + skew;
}

/**
 * What the pair promises, in seconds: the takeover within the master-down interval plus two adverts, one for
 * keepalived's timer (it works per advert) and one for a guest under emulation sharing a core, plus 6 s for an
 * emulated guest whose one vCPU also runs the probes, the download and both directors' checkers. Measured at
 * advert 1 s, from the link going down to the VIP on the backup: 2.7-3.7 s in a microVM of its own; 7.3, 7.5
 * and 9.5 s in CI runs with two microVMs of one vCPU each on the two cores. (Running the lab's traffic niced
 * below keepalived starved the probes instead: they stopped spanning the failover.)
 */
export function takeoverBudget(lab: Lab): number {
  return masterDownInterval(lab) + 2 * lab.keepalived!.vrrp!.advertInterval + 6;
}

/** The longest silence clients may see: the takeover, then the gateway learning the new MAC and a probe's own time limit. */
export function outageBudget(lab: Lab): number {
  return takeoverBudget(lab) + 1 + PROBE_TIMEOUT_MS / 1000;
}

/**
 * The longest time without an answer (ms): between two answered probes, or from the last answer to the
 * last probe when the answers never came back (`open`; from the first probe when none came at all).
 */
export function longestGap(probes: Timed[]): { ms: number; from?: number; to?: number; open: boolean } {
  const sorted = [...probes].sort((a, b) => a.at - b.at);
  let best = { ms: 0, open: false } as { ms: number; from?: number; to?: number; open: boolean };
  let lastAnswer = sorted[0]?.at;
  for (const probe of sorted) {
    if (!probe.ok && probe !== sorted[sorted.length - 1]) continue;
    const gap = probe.at - lastAnswer;
    if (gap > best.ms) best = { ms: gap, from: lastAnswer, to: probe.at, open: !probe.ok };
    if (probe.ok) lastAnswer = probe.at;
  }
  return best;
}

/** The lab machine's clock, in ms since the epoch (a microVM's may be off this side's by seconds). */
export async function machineNowMs(runner: CommandRunner): Promise<number> {
  return Number((await runner.run(['date', '+%s%3N'])).stdout.trim());
}

/** The directors holding the VIP now. */
export async function holders(lab: Lab, runner: CommandRunner): Promise<string[]> {
  const vip = lab.services[0].vip;
  const reads = await Promise.all(
    directorsOf(lab).map(async (d) => {
      const out = (await runner.run(['ip', '-n', d.namespace, '-o', 'addr', 'show', 'dev', d.interfaces[0].name])).stdout;
      return out.includes(` inet ${vip}/32 `) ? [d.name] : [];
    }),
  );
  return reads.flat();
}

async function macOf(node: Node, runner: CommandRunner): Promise<string> {
  const out = (await runner.run(['ip', '-n', node.namespace, '-j', 'link', 'show', 'dev', node.interfaces[0].name])).stdout;
  return (JSON.parse(out || '[]') as Array<{ address?: string }>)[0]?.address ?? '';
}

/**
 * The download that spans the failover, as curl reports it, and whether the body it saved is what the real
 * server sent: its identity line, then the padding (SHA-256 of both against the saved file's).
 */
export function parseDownload(
  result: { exitCode: number; stdout: string },
  body: { firstLine: string; sha256: string },
  startedBy?: number,
): FailoverObservation['download'] {
  const node = /^X-Lvslab-Node: (\S+)/im.exec(result.stdout)?.[1];
  const bytes = Number(/lvslab-size=(\d+)/.exec(result.stdout)?.[1] ?? 0);
  const took = /lvslab-time=(\d+(?:\.\d+)?)\s/.exec(result.stdout)?.[1];
  const endedBy = startedBy !== undefined && took !== undefined ? startedBy + Math.round(Number(took) * 1000) : undefined;
  const sent = createHash('sha256').update(body.firstLine).update('.'.repeat(SPANNING_BYTES)).digest('hex');
  const error =
    result.exitCode !== 0
      ? `curl exit status ${result.exitCode}`
      : body.sha256 !== sent
        ? "the body's SHA-256 is not that of what the real server sent"
        : undefined;
  return { bytes, node, error, ...(endedBy !== undefined ? { endedBy } : {}) };
}

/**
 * When `ip -ts monitor` (TZ=UTC0) printed the first event that matches, in epoch ms of the lab machine's
 * clock. A line may carry several stamps (ip prints one before filtering a message out by device): the
 * last is the event's.
 */
export function firstEventAt(monitorOutput: string, matches: (event: string) => boolean): number | undefined {
  for (const line of monitorOutput.split('\n')) {
    const m = /^((?:\[[0-9T:.-]+\] )+)(.*)$/.exec(line);
    if (!m || !matches(m[2])) continue;
    const stamps = m[1].trim().split(' ');
    return Date.parse(`${stamps[stamps.length - 1].slice(1, -1)}Z`);
  }
  return undefined;
}

/** An `ip monitor link` event: the device without UP among its flags. */
export const linkWentDown = (device: string) => (event: string) =>
  new RegExp(`^\\d+: ${device}(?:@\\S+)?: <([^>]*)>`).exec(event)?.[1].split(',').includes('UP') === false;

/** An `ip monitor address` event: the address added to the device (a removal starts with "Deleted"). */
export const addressAdded = (device: string, address: string) => (event: string) =>
  new RegExp(`^\\d+: ${device} +inet ${address.replaceAll('.', '\\.')}/`).test(event);

/**
 * The download's own client ports: ten, from a random multiple of ten between 20000 and 32759 (below Linux's
 * ephemeral range, so the probes never take one), the backup's synced entry found by them. Fixed ports were
 * wrong: a second failover's download reused the first's port, and a backup without sync still held the first
 * download's synced entry (TIME_WAIT, same four-tuple): it forwarded the second one, which "survived" (seen in CI).
 */
export function downloadPorts(random = Math.random()): [number, number] {
  const first = 20000 + 10 * Math.floor(random * 1276);
  return [first, first + 9];
}
/**
 * How long to wait for the backup to know the download's connection: the master's sync daemon sends what it
 * has gathered every 2 s (IPVS_SYNC_FLUSH_TIME), and a failover before that broke the download (measured).
 */
const SYNC_WAIT_MS = 8000;
/** The events' monitors are killed once the probes stop; past the takeover budget and this many seconds, they end by themselves. */
const MONITOR_SPARE_S = 30;

/** The IPVS connections a director knows, as `ipvsadm -Lnc` lines. */
async function connections(director: Node, runner: CommandRunner): Promise<string[]> {
  return (await runner.run(['ip', 'netns', 'exec', director.namespace, 'ipvsadm', '-L', '-n', '-c'])).stdout.split('\n');
}

export async function observeFailover(lab: Lab, runner: CommandRunner, host: HostView): Promise<FailoverObservation | undefined> {
  if (!lab.keepalived?.vrrp || !lab.backups?.length) return undefined;
  const master = lab.director;
  const backup = lab.backups[0];
  const client = lab.clients[0];
  const service = lab.services.find((s) => s.protocol === 'tcp') ?? lab.services[0];
  const plan = buildPlan(lab, { service: SERVICE_COMMAND });
  const fault = (kind: 'link-down' | 'link-up') => injectFault(faultActions(lab, plan, { kind, target: master.name }), runner, host);
  const read = () => holders(lab, runner);
  const holdersBefore = await read();
  const macs = Object.fromEntries(await Promise.all(directorsOf(lab).map(async (d) => [d.name, await macOf(d, runner)] as const)));
  const budgetMs = takeoverBudget(lab) * 1000;
  // The prober's files live on the lab machine, where it runs.
  const files = (await runner.run(['mktemp', '-d', '/tmp/lvslab-failover-XXXXXX'])).stdout.trim();
  const spec: TimelineSpec = {
    target: { protocol: 'tcp', vip: service.vip, port: service.port, count: 1 },
    everyMs: PROBE_EVERY_MS,
    forMs: 120_000,
    timeoutMs: PROBE_TIMEOUT_MS,
    startedFile: join(files, 'started'),
    stopFile: join(files, 'stop'),
  };
  // curl's rate limit alone spans nothing: the real server would send it all at once into the client's
  // receive buffer. A small buffer makes the transfer itself as slow as curl reads.
  const rmem = (await runner.run(['ip', 'netns', 'exec', client.namespace, 'sysctl', '-n', 'net.ipv4.tcp_rmem'])).stdout.trim().split(/\s+/).join(' ');
  await runner.run(['ip', 'netns', 'exec', client.namespace, 'sysctl', '-q', '-w', `net.ipv4.tcp_rmem=${SMALL_RMEM}`]);
  try {
    const probing = runner.run(timelineArgv(client.namespace, spec), {
      timeout: 180_000,
    });
    await readUntil(
      async () => (await runner.run(['test', '-e', spec.startedFile!])).exitCode === 0,
      (started) => started,
      Date.now(),
      Date.now() + 30_000,
    );
    const ports = downloadPorts();
    const bodyFile = join(files, 'download');
    // Read before the download begins: this plus curl's own time is the earliest it can have ended.
    const downloadStartedBy = await machineNowMs(runner);
    const downloading = runner.run(
      [
        ...['ip', 'netns', 'exec', client.namespace, 'curl', '-s', '-o', bodyFile, '-D', '-', '-w', DOWNLOAD_WRITE_OUT],
        ...['--local-port', ports.join('-'), '--limit-rate', String(SPANNING_RATE), '--connect-timeout', '3', '--max-time', String(DOWNLOAD_MAX_S)],
        `http://${service.vip}:${service.port}/?bytes=${SPANNING_BYTES}`,
      ],
      { timeout: 180_000 },
    );
    // The failover comes once the backup knows the download (or, without sync, a moment after it began).
    const ours = (line: string) => {
      const port = Number(new RegExp(` ${client.interfaces[0].address.replaceAll('.', '\\.')}:(\\d+) `).exec(line)?.[1]);
      return line.includes(` ESTABLISHED `) && port >= ports[0] && port <= ports[1];
    };
    const synced = lab.keepalived.vrrp.sync
      ? (
          await readUntil(
            () => connections(backup, runner),
            (lines) => lines.some(ours),
            Date.now(),
            Date.now() + SYNC_WAIT_MS,
          )
        ).seen !== undefined
      : (await new Promise((resolve) => setTimeout(resolve, 2000)), false);
    // The kernel's own events time the takeover on the lab machine's clock, free of this side's round trips: the
    // master's link going down, the VIP arriving on the backup. The monitors run until the probes stop (then they are
    // ended: waiting out a fixed time cost seconds per failover); their own time limit only ends them should this
    // side be gone by then.
    const device = master.interfaces[0].name;
    const monitor = (node: Node, object: 'link' | 'address') => {
      const log = join(files, `${object}-events`);
      const limit = String(Math.ceil(budgetMs / 1000) + MONITOR_SPARE_S);
      const argv = [...['env', 'TZ=UTC0', 'timeout', limit], ...['ip', '-ts', '-n', node.namespace, 'monitor', object, 'dev', device]];
      return runner.start(argv, { log }).then(({ pid }) => ({ pid, log }));
    };
    const monitors = await Promise.all([monitor(master, 'link'), monitor(backup, 'address')]);
    // The probes' times are the lab machine's clock (a microVM's may differ from this one's).
    const faultAtThere = await machineNowMs(runner);
    const faultAt = Date.now();
    await fault('link-down');
    // The fault's own command may take seconds on a busy guest: the windows below count from its end.
    const faultDone = Date.now();
    const takeover = await readUntil(read, (h) => h.length === 1 && h[0] === backup.name, faultAt, faultDone + budgetMs + 3000);
    const gatewayMac = neighbourMac((await runner.run(['ip', '-n', lab.gateway.namespace, '-j', 'neigh', 'show'])).stdout, service.vip);
    // A few more seconds of probes after the takeover, so that the gap ends in the probes' window; with no
    // takeover, probes until the outage is past its budget, so that the gap shows it (CI: a 9.2 s window passed).
    const probeUntil = takeover.seen ? Date.now() + 3000 : faultDone + outageBudget(lab) * 1000 + 2000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, probeUntil - Date.now())));
    await runner.run(['touch', spec.stopFile!]);
    // SIGTERM: timeout passes it on to ip, which has written each event as it came.
    await Promise.all(monitors.map(({ pid }) => host.kill(pid, 'SIGTERM')));
    const [linkEvents, addressEvents] = await Promise.all(monitors.map(({ log }) => runner.run(['cat', log])));
    // Nobody took over: with the master's link down the download would wait out curl's limit (40 s). The link comes
    // back first; whatever then arrives through the master proves no takeover, and the download check asks for one.
    if (!takeover.seen) await fault('link-up');
    const [probed, downloaded] = await Promise.all([probing, downloading]);
    const linkDownAt = firstEventAt(linkEvents.stdout, linkWentDown(device));
    const downAt = linkDownAt ?? faultAtThere;
    const vipAt = firstEventAt(addressEvents.stdout, addressAdded(device, service.vip));
    const [firstLine, sum] = await Promise.all([runner.run(['head', '-n', '1', bodyFile]), runner.run(['sha256sum', bodyFile])]);
    const body = { firstLine: firstLine.stdout, sha256: sum.stdout.split(' ')[0] };
    // After a takeover, only once the download has ended: the master taking the VIP back would cut it.
    if (takeover.seen) await fault('link-up');
    // The master preempts: it takes the VIP back within a few adverts.
    const restored = await readUntil(read, (h) => h.length === 1 && h[0] === master.name, Date.now(), Date.now() + budgetMs + 5000);
    // While its link was down the master's checkers lost every real server: the lab ends as it began once they are back.
    const members = lab.services.reduce((n, s) => n + s.members.length, 0);
    const table = async () =>
      (await runner.run(['ip', 'netns', 'exec', master.namespace, 'ipvsadm', '-S', '-n'])).stdout.split('\n').filter((l) => l.startsWith('-a '));
    await readUntil(table, (lines) => lines.length >= members, Date.now(), Date.now() + 10_000);
    return {
      master: master.name,
      backup: backup.name,
      holdersBefore,
      takeoverMs: vipAt !== undefined && takeover.seen ? vipAt - downAt : takeover.seen?.startMs,
      holdersAfter: takeover.last,
      gatewayMac,
      macs,
      probes: probed.exitCode === 0 ? (JSON.parse(probed.stdout) as Timed[]) : [],
      faultAt: faultAtThere,
      linkDownAt,
      download: { ...parseDownload(downloaded, body, downloadStartedBy), synced },
      holdersRestored: restored.last,
    };
  } finally {
    await runner.run(['ip', 'netns', 'exec', client.namespace, 'sysctl', '-q', '-w', `net.ipv4.tcp_rmem=${rmem}`]);
    await runner.run(['rm', '-rf', files]);
  }
}

/**
 * A download that ended before the fault crossed no failover, whole or not. The fault is the link going down: one
 * that ended while the fault's command was still on its way (after `faultAt`) crossed nothing either.
 */
export function downloadUnderWay(obs: Pick<FailoverObservation, 'download' | 'faultAt' | 'linkDownAt'>): boolean {
  return obs.download.endedBy !== undefined && obs.download.endedBy > faultMoment(obs);
}

function faultMoment(obs: Pick<FailoverObservation, 'faultAt' | 'linkDownAt'>): number {
  return Math.max(obs.faultAt, obs.linkDownAt ?? obs.faultAt);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const listed = (names: string[]) => (names.length ? names.join(' and ') : 'no director');

export function judgeFailover(lab: Lab, obs: FailoverObservation): CheckResult[] {
  const vrrp = lab.keepalived!.vrrp!;
  const budget = takeoverBudget(lab);
  const gap = longestGap(obs.probes);
  const silence = outageBudget(lab);
  const lastProbeAt = obs.probes.length > 0 ? Math.max(...obs.probes.map((p) => p.at)) : 0;
  // The probes must begin before the fault and run past the takeover (or, with none, past the outage budget).
  const coversFault =
    obs.probes.length > 0 && Math.min(...obs.probes.map((p) => p.at)) < obs.faultAt && lastProbeAt > obs.faultAt + (obs.takeoverMs ?? silence * 1000);
  // Silence up to the last probe, longer than a probe's own time limit: the answers never came back.
  const neverBack = gap.open && gap.ms > PROBE_TIMEOUT_MS;
  const answered = `${obs.probes.filter((p) => p.ok).length}/${obs.probes.length} probes answered`;
  const expectedBytes = SPANNING_BYTES;
  const survived = obs.download.error === undefined && obs.download.bytes >= expectedBytes;
  const underWay = downloadUnderWay(obs);
  const { endedBy } = obs.download;
  const notUnderWay =
    endedBy === undefined ? '; curl did not say how long it took' : underWay ? '' : `; it ended ${seconds(faultMoment(obs) - endedBy)} before the fault`;
  // Through the backup: with nobody taking over, a download that went on (or broke) with the master proves nothing.
  const taken = obs.takeoverMs !== undefined;
  const notTaken = taken ? '' : '; the backup never took the VIP';
  const vip = lab.services[0].vip;
  return [
    {
      name: 'exactly one director holds the VIP: the VRRP master',
      where: directorsOf(lab)
        .map((d) => d.name)
        .join(', '),
      expected: `${vip} on ${obs.master} only`,
      observed: `on ${listed(obs.holdersBefore)}`,
      ok: obs.holdersBefore.length === 1 && obs.holdersBefore[0] === obs.master,
    },
    {
      name: "the backup takes the VIP when the master's link goes down, within the VRRP master-down interval",
      where: `${obs.master} -> ${obs.backup}`,
      expected: `${vip} on ${obs.backup} only within ${budget.toFixed(1)} s (3 x advert ${vrrp.advertInterval} s + skew, + two adverts + 6 s)`,
      observed:
        obs.takeoverMs !== undefined
          ? `on ${obs.backup} after ${seconds(obs.takeoverMs)}`
          : `on ${listed(obs.holdersAfter)} ${seconds(budget * 1000 + 3000)} later`,
      ok: obs.takeoverMs !== undefined && obs.takeoverMs <= budget * 1000,
    },
    {
      name: 'the gateway follows the new owner of the VIP (gratuitous ARP)',
      where: `${lab.gateway.name}: neighbour ${vip}`,
      expected: `${obs.macs[obs.backup]} (${obs.backup})`,
      observed: obs.gatewayMac
        ? `${obs.gatewayMac} (${Object.entries(obs.macs).find(([, mac]) => mac === obs.gatewayMac)?.[0] ?? 'not a director'})`
        : 'no entry',
      ok: obs.gatewayMac !== undefined && obs.gatewayMac === obs.macs[obs.backup],
    },
    {
      name: 'client-visible outage: the longest time without an answer through the VIP, probing every 100 ms',
      where: `${lab.clients[0].name} -> ${vip}`,
      expected: `at most ${silence.toFixed(1)} s (the takeover budget + 3.5 s: the gateway learning the new MAC, 1 s, and a probe's time limit, 2.5 s)`,
      observed: !coversFault
        ? `the probes (${obs.probes.length}) did not span the failover`
        : neverBack
          ? `no answer in the last ${seconds(gap.ms)} of the probes (they ran until ${seconds(lastProbeAt - obs.faultAt)} after the fault): ` +
            `the answers never came back (${answered})`
          : `${seconds(gap.ms)} (${answered})`,
      ok: coversFault && !neverBack && gap.ms <= silence * 1000,
    },
    vrrp.sync
      ? {
          name: 'a download under way at the failover completes through the backup (connections synced)',
          where: `${lab.clients[0].name} -> ${vip} -> ${obs.download.node ?? '?'}`,
          expected: `${expectedBytes} bytes, curl status 0, the SHA-256 of what the real server sent, still arriving at the fault`,
          observed: `${obs.download.bytes} bytes${obs.download.error ? `, ${obs.download.error}` : ''}${
            obs.download.synced === false ? '; the backup did not list its connection before the failover' : ''
          }${notUnderWay}${notTaken}`,
          ok: survived && underWay && taken,
        }
      : {
          name: 'without sync, a download under way at the failover breaks (the backup does not know its connection)',
          where: `${lab.clients[0].name} -> ${vip} -> ${obs.download.node ?? '?'}`,
          expected: `fewer than ${expectedBytes} bytes or a curl error, broken after the fault, the backup holding the VIP`,
          observed: `${obs.download.bytes} bytes${obs.download.error ? `, ${obs.download.error}` : ''}${notUnderWay}${notTaken}`,
          ok: !survived && underWay && taken,
        },
    {
      name: 'the master takes the VIP back when its link returns (preemption)',
      where: `${obs.backup} -> ${obs.master}`,
      expected: `${vip} on ${obs.master} only`,
      observed: `on ${listed(obs.holdersRestored)}`,
      ok: obs.holdersRestored.length === 1 && obs.holdersRestored[0] === obs.master,
    },
  ];
}
