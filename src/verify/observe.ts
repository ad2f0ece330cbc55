/**
 * Stage 5, verify (live part): watches a running lab while traffic crosses it. One pass:
 *   1. flush the gateway's neighbour cache, so that it must resolve the VIP again;
 *   2. start tcpdump on the director's LAN link and (ARP only) on the gateway's LAN link;
 *   3. every client probes every service (small requests, fresh source ports);
 *   4. the first client downloads 1 MiB from each real server of the first TCP service, with every
 *      node link's counters read before and after each download (on the bridge side: one process);
 *   5. stop the captures; read MACs, the gateway's entry for the VIP, the real servers' default routes.
 * Judging what was observed is pure (judge.ts).
 */
import type { CommandRunner } from '../apply/runner.js';
import { allNodes, hostPort, type Lab, type Service } from '../model/lab.js';
import { viewFamily } from '../model/family-view.js';
import { counterDelta, neighbourMac, parseDefaultGateways, parseFrames, parseMacs, parseSwitchLinks, type Counters, type Frame } from './parse-observations.js';
import { NODE_READOUTS } from '../model/package-root.js';
import type { ProbeAnswer } from '../model/observation.js';
import { probeFrom } from './run-probe.js';
import { probeTargets } from './reachability.js';
import { parseWalk, walkTable, WALK_TABLE, type Walk } from './hook-walk.js';

export type { Observation, Transfer } from '../model/observation.js';
import type { Observation, Transfer } from '../model/observation.js';

export const LARGE_REPLY_BYTES = 1024 * 1024;
/** At most this many 1 MiB downloads per verify (one per real server, in scheduling order). */
const MAX_TRANSFERS = 4;

/** Every node link's counters, read on the bridge side: one process for the whole lab. */
export async function readCounters(runner: CommandRunner, lab: Lab): Promise<Counters> {
  const result = await runner.run(['ip', '-n', lab.switchNamespace, '-s', '-j', 'link', 'show']);
  if (result.exitCode !== 0) throw new Error(`cannot read the link counters of ${lab.switchNamespace}: ${result.stderr.trim()}`);
  return parseSwitchLinks(result.stdout, lab);
}

function lanInterface(lab: Lab): string {
  const lan = lab.director.interfaces[0].network;
  return lab.gateway.interfaces.find((i) => i.network === lan)!.name;
}

/** One download, with the counters read before it (the previous download's after) and after it. */
async function download(runner: CommandRunner, lab: Lab, service: Service, before: Counters): Promise<{ transfer: Transfer; after: Counters }> {
  const client = lab.clients[0];
  const url = `http://${hostPort(service.vip, service.port)}/?bytes=${LARGE_REPLY_BYTES}`;
  const result = await runner.run([
    'ip',
    'netns',
    'exec',
    client.namespace,
    'curl',
    '-s',
    // No globbing: an IPv6 URL's brackets are the address's.
    '-g',
    '-o',
    '/dev/null',
    '-D',
    '-',
    '-w',
    'lvslab-size=%{size_download}\n',
    '--connect-timeout',
    '3',
    '--max-time',
    '30',
    url,
  ]);
  const after = await readCounters(runner, lab);
  const node = /^X-Lvslab-Node: (\S+)/im.exec(result.stdout)?.[1] ?? '';
  const bytes = Number(/lvslab-size=(\d+)/.exec(result.stdout)?.[1] ?? 0);
  return {
    transfer: { node, bytes, delta: counterDelta(before, after), error: result.exitCode === 0 ? undefined : `curl exit status ${result.exitCode}` },
    after,
  };
}

/**
 * Every node's links and default route, as `ip -all netns exec` would print them ("netns: NAME" before each): one ip
 * process per node, the two reads in one batch, all at once. Only the lab's own namespaces are read: other labs'
 * (the demo's pair) would cost time, and their `down` could cut the read short.
 */
async function readNodes(runner: CommandRunner, lab: Lab, family: readonly string[]): Promise<string> {
  const namespaces = allNodes(lab).map((n) => n.namespace);
  const reads = await Promise.all(namespaces.map((ns) => runner.run(['ip', '-n', ns, ...family, '-j', '-batch', NODE_READOUTS])));
  return reads
    .map((read, i) => {
      if (read.exitCode !== 0) throw new Error(`cannot read the links and default route of ${namespaces[i]}: ${read.stderr.trim()}`);
      return `netns: ${namespaces[i]}\n${read.stdout}`;
    })
    .join('\n');
}

/** What the captures and read-outs of each family look at: IP of that family, and its way of resolving neighbours. */
const BY_FAMILY = {
  ipv4: { packets: 'ip', neighbours: 'arp', nft: 'ip', ip: [] as string[] },
  ipv6: { packets: 'ip6', neighbours: 'icmp6 and (ip6[40] == 135 or ip6[40] == 136)', nft: 'ip6', ip: ['-6'] },
} as const;

/** Observes one family of the lab: the IPv4 lab, or a dual-stack lab's IPv6 view (model/family-view.ts). */
export async function observeLab(lab: Lab, runner: CommandRunner): Promise<Observation> {
  const by = BY_FAMILY[viewFamily(lab)];
  const lan = lanInterface(lab);
  const timings = { captures: 0, probes: 0, transfers: 0, readouts: 0 };
  let mark = Date.now();
  const lap = (part: keyof typeof timings) => {
    const now = Date.now();
    timings[part] += now - mark;
    mark = now;
  };
  const nft = (...args: string[]) => ['ip', 'netns', 'exec', lab.director.namespace, 'nft', ...args];
  // One transaction replaces a table an interrupted verify left (declaring it first makes the delete safe).
  const replaceWalk = [`table ${by.nft} ${WALK_TABLE}`, `delete table ${by.nft} ${WALK_TABLE}`, ...walkTable(lab)];
  const [, walkAdded] = await Promise.all([
    runner.run(['ip', '-n', lab.gateway.namespace, 'neigh', 'flush', 'all']),
    runner.run(nft('-f', '-'), { input: `${replaceWalk.join('\n')}\n` }),
  ]);
  const [directorCapture, gatewayCapture] = await Promise.all([
    runner.capture([
      'ip',
      'netns',
      'exec',
      lab.director.namespace,
      'tcpdump',
      '-l',
      '-nn',
      '-e',
      '-s',
      '128',
      '-i',
      lab.director.interfaces[0].name,
      by.packets,
    ]),
    runner.capture(['ip', 'netns', 'exec', lab.gateway.namespace, 'tcpdump', '-l', '-nn', '-e', '-i', lan, by.neighbours]),
  ]);
  const answers = new Map<string, ProbeAnswer[]>();
  const transfers: Transfer[] = [];
  const transferService = lab.services.find((s) => s.protocol === 'tcp');
  let directorFrames: Frame[] = [];
  let gatewayArp: Frame[] = [];
  lap('captures');
  try {
    const targets = probeTargets(lab);
    for (const client of lab.clients) answers.set(client.name, await probeFrom(runner, client.namespace, targets));
    lap('probes');
    if (transferService) {
      const count = Math.min(MAX_TRANSFERS, transferService.members.filter((m) => m.weight > 0).length);
      let counters = count > 0 ? await readCounters(runner, lab) : undefined;
      for (let i = 0; i < count; i++) {
        const { transfer, after } = await download(runner, lab, transferService, counters!);
        counters = after;
        transfers.push(transfer);
        if (transfers[transfers.length - 1].error) break; // a broken lab need not time out once per server
      }
    }
    lap('transfers');
  } finally {
    // Both at once: each waits until its tcpdump has printed what it caught (see runner.ts).
    [directorFrames, gatewayArp] = (await Promise.all([directorCapture.stop(), gatewayCapture.stop()])).map(parseFrames);
  }
  let walk: Walk | string = `nft could not add the counting table: ${walkAdded.stderr.trim()}`;
  if (walkAdded.exitCode === 0) {
    const listed = await runner.run(nft('-j', 'list', 'table', by.nft, WALK_TABLE));
    walk = listed.exitCode === 0 ? parseWalk(listed.stdout) : `nft could not list the counting table: ${listed.stderr.trim()}`;
  }
  lap('captures');
  // The read-outs do not depend on each other: started together, they overlap their start-up costs.
  const [nodes, neigh, ipvs] = await Promise.all([
    readNodes(runner, lab, by.ip),
    runner.run(['ip', '-n', lab.gateway.namespace, '-j', 'neigh', 'show']),
    runner.run(['ip', 'netns', 'exec', lab.director.namespace, 'ipvsadm', '-S', '-n']),
    walkAdded.exitCode === 0 ? runner.run(nft('delete', 'table', by.nft, WALK_TABLE)) : undefined,
  ]);
  const macs = parseMacs(nodes);
  const gateways = parseDefaultGateways(nodes);
  const defaultRoutes = new Map(lab.realServers.map((rs) => [rs.name, gateways.get(rs.namespace)] as [string, string | undefined]));
  lap('readouts');
  return {
    answers,
    transfers,
    transferService,
    directorFrames,
    gatewayArp,
    macs,
    defaultRoutes,
    timings,
    walk,
    ipvsRules: ipvs.exitCode === 0 ? ipvs.stdout.split('\n') : [`ipvsadm failed: ${ipvs.stderr.trim()}`],
    gatewayVipMac: neighbourMac(neigh.stdout, lab.services[0].vip),
  };
}

export { macOwners } from '../modes/observed.js';
