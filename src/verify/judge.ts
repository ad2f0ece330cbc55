/**
 * Stage 5, verify (pure part): judges an Observation against what the lab's mode promises
 * (docs/modes.md, "verify sees"). Every check names the node or hop it is about.
 */
import { allNodes, sourceNatAddress, type Lab, type Node, type Service } from '../model/lab.js';
import { viewFamily } from '../model/family-view.js';
import type { LinkCounters } from './parse-observations.js';
import { macOwners, type Observation, type Transfer } from './observe.js';
import type { ProbeAnswer } from '../model/observation.js';
import { reachabilityChecks, serviceLabel, spreads } from './reachability.js';
import type { CheckResult } from './result.js';
import { lvsMode, type Hop } from '../modes/index.js';
import { isIp, outbound } from '../modes/observed.js';
import { ipvsRules } from '../plan/build-plan.js';
import { ipvsDifferences, parseIpvsRules } from './ipvs-table.js';
import { HOOKS, hookWalkCheck, type Hook } from './hook-walk.js';

/** DR and TUN: the director may carry at most this share of the reply bytes. */
export const DIRECTOR_REPLY_SHARE_MAX = 0.01;
/** A hop carried the traffic when it moved at least this share of it. */
const CARRIED = 0.5;

const ipOf = (endpoint: string | undefined) => endpoint?.replace(/:\d+$/, '');
const portOf = (endpoint: string | undefined) => Number(endpoint?.split(':').pop());

function nodeNamed(lab: Lab, name: string): Node | undefined {
  return allNodes(lab).find((n) => n.name === name);
}

export type { Hop } from '../modes/index.js';

export function expectedPaths(lab: Lab, realServer: string): { request: Hop[]; reply: Hop[] } {
  const client = lab.clients[0];
  const rs = nodeNamed(lab, realServer)!;
  const lan = lab.director.interfaces[0].network;
  const rsNet = rs.interfaces[0].network;
  const clientNet = client.interfaces[0].network;
  const g = lab.gateway.name;
  const d = lab.director.name;
  const toRs: Hop[] =
    rsNet === lan
      ? [{ from: d, to: rs.name, network: lan }]
      : [
          { from: d, to: g, network: lan },
          { from: g, to: rs.name, network: rsNet },
        ];
  const request: Hop[] = [{ from: client.name, to: g, network: clientNet }, { from: g, to: d, network: lan }, ...toRs];
  const reply = lvsMode(lab.mode).replyPath({ client: client.name, gateway: g, director: d, realServer: rs.name, lan, rsNet, clientNet });
  return { request, reply };
}

function linkOf(lab: Lab, delta: Transfer['delta'], node: string, network: string): LinkCounters | undefined {
  const n = nodeNamed(lab, node);
  const iface = n?.interfaces.find((i) => i.network === network);
  return n && iface ? delta.get(n.namespace)?.get(iface.name) : undefined;
}

/**
 * The share of a transfer a hop carried: what left `from` and arrived at `to` on that network. For the
 * reply bytes, also whether another node of the same network received and sent them on (a relay: on one
 * L2 segment the sender's and the receiver's counters alone cannot tell `rs1 -> gateway` from
 * `rs1 -> director -> gateway`).
 */
function hopShare(lab: Lab, t: Transfer, hop: Hop, measure: 'bytes' | 'packets', total: number): { share: number; relay?: string } {
  const out = linkOf(lab, t.delta, hop.from, hop.network);
  const inn = linkOf(lab, t.delta, hop.to, hop.network);
  if (!out || !inn || total <= 0) return { share: 0 };
  const pick = (l: LinkCounters, dir: 'rx' | 'tx') => (measure === 'bytes' ? (dir === 'rx' ? l.rxBytes : l.txBytes) : dir === 'rx' ? l.rxPackets : l.txPackets);
  const share = Math.min(pick(out, 'tx'), pick(inn, 'rx')) / total;
  // Only the reply bytes flow one way; packet counts (data one way, ACKs the other) would make every endpoint look like a relay.
  const relay =
    measure === 'packets'
      ? undefined
      : allNodes(lab).find((n) => {
          if (n.name === hop.from || n.name === hop.to) return false;
          const link = linkOf(lab, t.delta, n.name, hop.network);
          return link !== undefined && pick(link, 'rx') >= CARRIED * total && pick(link, 'tx') >= CARRIED * total;
        });
  return { share, relay: relay?.name };
}

function hopCarried(x: { share: number; relay?: string }): boolean {
  return x.share >= CARRIED && !x.relay;
}

function renderHop(h: Hop, x: { share: number; relay?: string }): string {
  return `${h.from} -> ${h.to}: ${Math.round(100 * x.share)}%${x.relay ? ` (relayed by ${x.relay})` : ''}`;
}

function renderPath(hops: Hop[]): string {
  return hops.length ? [hops[0].from, ...hops.map((h) => h.to)].join(' -> ') : '(none)';
}

function nodeTx(lab: Lab, t: Transfer, node: Node, measure: 'bytes' | 'packets'): number {
  let sum = 0;
  for (const link of t.delta.get(node.namespace)?.values() ?? []) sum += measure === 'bytes' ? link.txBytes : link.txPackets;
  return sum;
}

/** Request and reply paths of each 1 MiB transfer, hop by hop, from byte and packet counters. */
export function pathChecks(lab: Lab, obs: Observation): CheckResult[] {
  const results: CheckResult[] = [];
  if (!obs.transferService) return results;
  const label = serviceLabel(obs.transferService);
  if (obs.transfers.length === 0) return results;
  for (const t of obs.transfers) {
    if (!t.node || t.error || t.bytes < 0.9 * 1024 * 1024) {
      results.push({
        name: `${label}: a 1 MiB reply reaches ${lab.clients[0].name}`,
        where: `${lab.clients[0].name} -> ${obs.transferService.vip}`,
        expected: '1048576 bytes from a real server',
        observed: `${t.bytes} bytes${t.node ? ` from ${t.node}` : ''}${t.error ? ` (${t.error})` : ''}`,
        ok: false,
      });
      continue;
    }
    const { request, reply } = expectedPaths(lab, t.node);
    const clientTx = nodeTx(lab, t, lab.clients[0], 'packets');
    const requestHops = request.map((h) => ({ h, x: hopShare(lab, t, h, 'packets', clientTx) }));
    const weakRequest = requestHops.filter(({ x }) => !hopCarried(x));
    results.push({
      name: `${label}: request path ${renderPath(request)}`,
      where: weakRequest.length ? weakRequest.map(({ h }) => `${h.from} -> ${h.to}`).join(', ') : renderPath(request),
      expected: `every hop carries the client's packets (${clientTx} sent), directly`,
      observed: requestHops.map(({ h, x }) => renderHop(h, x)).join(', '),
      ok: weakRequest.length === 0,
    });
    const replyHops = reply.map((h) => ({ h, x: hopShare(lab, t, h, 'bytes', t.bytes) }));
    const weakReply = replyHops.filter(({ x }) => !hopCarried(x));
    results.push({
      name: `${label}: reply path ${renderPath(reply)} (1 MiB from ${t.node})`,
      where: weakReply.length ? weakReply.map(({ h }) => `${h.from} -> ${h.to}`).join(', ') : renderPath(reply),
      expected: `every hop carries the ${t.bytes} reply bytes, directly`,
      observed: replyHops.map(({ h, x }) => renderHop(h, x)).join(', '),
      ok: weakReply.length === 0,
    });
    if (!lvsMode(lab.mode).facts.repliesBypassDirector) {
      const share = nodeTx(lab, t, lab.director, 'bytes') / t.bytes;
      results.push({
        name: `${label}: replies from ${t.node} cross the director`,
        where: lab.director.name,
        expected: 'the director sends at least 90% of the reply bytes on',
        observed: `director sent ${nodeTx(lab, t, lab.director, 'bytes')} bytes = ${(share * 100).toFixed(1)}% of ${t.bytes}`,
        ok: share >= 0.9,
      });
    }
  }
  if (lvsMode(lab.mode).facts.repliesBypassDirector) results.push(directorReplyShare(lab, obs));
  return results;
}

/**
 * The reply bytes of the 1 MiB downloads that the director sent on. DR and TUN: from its capture (its
 * own frames whose IP destination is a client); NAT and FULLNAT, where it must carry them: its counters.
 */
export function directorReplyBytes(lab: Lab, obs: Observation): number {
  if (!lvsMode(lab.mode).facts.repliesBypassDirector) return obs.transfers.reduce((n, t) => n + nodeTx(lab, t, lab.director, 'bytes'), 0);
  const clients = new Set(lab.clients.map((c) => c.interfaces[0].address));
  return outbound(lab, obs)
    .filter((f) => isIp(f) && !f.inner && clients.has(f.dst?.ip ?? ''))
    .reduce((n, f) => n + f.length, 0);
}

/**
 * DR and TUN: reply bytes the director sent toward a client (from the capture: its own frames whose IP
 * destination is a client), against all the reply bytes of the 1 MiB downloads. Its byte counters cannot
 * tell: a one-armed director also forwards the client's ACKs, re-encapsulated in TUN.
 */
function directorReplyShare(lab: Lab, obs: Observation): CheckResult {
  const replyBytes = directorReplyBytes(lab, obs);
  const total = obs.transfers.reduce((n, t) => n + t.bytes, 0);
  const share = total > 0 ? replyBytes / total : 1;
  return {
    name: `${serviceLabel(obs.transferService!)}: replies never touch the director`,
    where: lab.director.name,
    expected: `the director sends under ${DIRECTOR_REPLY_SHARE_MAX * 100}% of the ${total} reply bytes toward the client`,
    observed: total > 0 ? `director sent ${replyBytes} bytes toward the client = ${(share * 100).toFixed(2)}%` : 'no 1 MiB reply completed: nothing to measure',
    ok: total > 0 && share < DIRECTOR_REPLY_SHARE_MAX,
  };
}

function answersOf(obs: Observation, service: Service): Array<[string, ProbeAnswer[]]> {
  return [...obs.answers].map(([client, answers]) => [
    client,
    answers.filter((a) => a.protocol === service.protocol && a.target === `${service.vip}:${service.port}`),
  ]);
}

/** rr: counts differ by at most one; wrr: counts in proportion to the weights. */
export function spreadCheck(service: Service, client: string, answers: ProbeAnswer[]): CheckResult | undefined {
  if (!spreads(service) || !['rr', 'wrr'].includes(service.scheduler)) return undefined;
  const active = service.members.filter((m) => m.weight > 0);
  const counts = new Map(active.map((m) => [m.realServer, 0]));
  for (const a of answers) if (a.ok && a.node && counts.has(a.node)) counts.set(a.node, counts.get(a.node)! + 1);
  const observed = [...counts].map(([n, c]) => `${n}: ${c}`).join(', ');
  const label = serviceLabel(service);
  if (service.scheduler === 'rr') {
    const values = [...counts.values()];
    return {
      name: `${label}: rr spreads ${client}'s requests within plus or minus one`,
      where: client,
      expected: `${answers.length} requests over ${active.length} real servers, each count within 1 of the others`,
      observed,
      ok: Math.max(...values) - Math.min(...values) <= 1 && values.reduce((a, b) => a + b, 0) === answers.length,
    };
  }
  const total = active.reduce((n, m) => n + m.weight, 0);
  const answered = [...counts.values()].reduce((a, b) => a + b, 0);
  const off = active.filter((m) => counts.get(m.realServer)! * total !== m.weight * answered).map((m) => m.realServer);
  return {
    name: `${label}: wrr serves ${client} in proportion to the weights`,
    where: off.length ? off.join(', ') : client,
    expected: active.map((m) => `${m.realServer}: ${(m.weight * answered) / total}`).join(', '),
    observed,
    ok: answered === answers.length && off.length === 0,
  };
}

/** The gateway must learn the VIP from the director alone. */
export function arpChecks(lab: Lab, obs: Observation): CheckResult[] {
  const owners = macOwners(lab, obs.macs);
  const directorMac = obs.macs.get(lab.director.namespace)?.get(lab.director.interfaces[0].name);
  const vip = lab.services[0].vip;
  const repliers = [...new Set(obs.gatewayArp.filter((f) => f.arp?.op === 'reply' && f.arp.ip === vip).map((f) => f.arp!.mac!))];
  const name = (mac: string | undefined) => (mac ? `${owners.get(mac) ?? 'unknown'} (${mac})` : 'nothing');
  const v6 = viewFamily(lab) === 'ipv6';
  return [
    {
      name: `after a flush, the gateway resolves the ${v6 ? 'IPv6 ' : ''}VIP ${vip} to the director's MAC`,
      where: `${lab.gateway.name} -> ${vip}`,
      expected: name(directorMac),
      observed: name(obs.gatewayVipMac),
      ok: directorMac !== undefined && obs.gatewayVipMac === directorMac,
    },
    {
      name: v6 ? `only the director answers neighbour solicitations for the IPv6 VIP ${vip}` : `only the director answers ARP for the VIP ${vip}`,
      where:
        repliers
          .filter((m) => m !== directorMac)
          .map((m) => owners.get(m) ?? m)
          .join(', ') || lab.director.name,
      expected: name(directorMac),
      observed: repliers.length ? repliers.map(name).join(', ') : v6 ? 'no neighbour advertisement seen' : 'no ARP reply seen',
      ok: repliers.length === 1 && repliers[0] === directorMac,
    },
  ];
}

/** What each real server saw as its peer, and the port it was reached on. */
function peerChecks(lab: Lab, obs: Observation): CheckResult[] {
  const results: CheckResult[] = [];
  // FULLNAT's source address: the director's, or a pair's floating one.
  const dip = sourceNatAddress(lab);
  for (const rs of lab.realServers) {
    const seen: Array<{ client: string; answer: ProbeAnswer; service: Service }> = [];
    for (const service of lab.services) {
      for (const [client, answers] of answersOf(obs, service))
        for (const answer of answers) if (answer.ok && answer.node === rs.name) seen.push({ client, answer, service });
    }
    if (seen.length === 0) continue;
    const seesDirector = lvsMode(lab.mode).facts.realServerSees === 'director';
    const expectedPeer = (client: string) => (seesDirector ? dip : nodeNamed(lab, client)!.interfaces[0].address);
    const wrongPeer = seen.filter((s) => ipOf(s.answer.seenPeer) !== expectedPeer(s.client));
    const peers = [...new Set(seen.map((s) => ipOf(s.answer.seenPeer)))].join(', ');
    results.push({
      name: seesDirector ? `${rs.name} sees the director's address, not the client's` : `${rs.name} sees the real client address`,
      where: rs.name,
      expected: seesDirector ? dip : [...new Set(seen.map((s) => expectedPeer(s.client)))].join(', '),
      observed: peers,
      ok: wrongPeer.length === 0,
    });
    if (lvsMode(lab.mode).facts.portMapping === true) {
      const wrongPort = seen.filter((s) => portOf(s.answer.seenLocal) !== s.service.members.find((m) => m.realServer === rs.name)!.port);
      const mapping = [...new Set(seen.map((s) => `${s.service.port} -> ${s.service.members.find((m) => m.realServer === rs.name)!.port}`))].join(', ');
      results.push({
        name: `port mapping ${mapping} is honoured at ${rs.name}`,
        where: rs.name,
        expected: `reached on ${[...new Set(seen.map((s) => s.service.members.find((m) => m.realServer === rs.name)!.port))].join('/')}`,
        observed: `reached on ${[...new Set(seen.map((s) => s.answer.seenLocal))].join(', ')}`,
        ok: wrongPort.length === 0,
      });
    }
  }
  return results;
}

/** The director's live IPVS table is the declared one: services, schedulers, persistence, members, ports, methods, weights. */
export function ipvsTableCheck(lab: Lab, obs: Observation): CheckResult {
  const declared = ipvsRules(lab);
  // A dual-stack lab's table holds both families' services; a family's view compares its own (IPv6 ones are written [VIP]:port).
  const v6 = viewFamily(lab) === 'ipv6';
  const live = new Map([...parseIpvsRules(obs.ipvsRules)].filter(([service]) => service.includes('[') === v6 || service.startsWith('fwmark')));
  const differences = ipvsDifferences(parseIpvsRules(declared), live);
  return {
    name: "the director's live IPVS table is the one the topology declares",
    where: lab.director.name,
    expected: `${lab.services.length} service(s), ${lab.services.reduce((n, s) => n + s.members.length, 0)} member(s) as declared`,
    observed: differences.length === 0 ? 'identical' : differences.join('; '),
    ok: differences.length === 0,
  };
}

/** Every check of a lab, from one observation. */
export function judge(lab: Lab, obs: Observation): CheckResult[] {
  const results: CheckResult[] = [ipvsTableCheck(lab, obs), hookWalkCheck(lab, obs.walk)];
  for (const service of lab.services) {
    for (const [client, answers] of answersOf(obs, service)) {
      results.push(...reachabilityChecks(lab, service, client, answers));
      const spread = spreadCheck(service, client, answers);
      if (spread) results.push(spread);
    }
  }
  results.push(...arpChecks(lab, obs));
  results.push(...pathChecks(lab, obs));
  const mode = lvsMode(lab.mode);
  results.push(...mode.deliveryChecks(lab, obs));
  results.push(...peerChecks(lab, obs));
  results.push(...mode.routingChecks(lab, obs));
  return results;
}

export interface ObservedHop extends Hop {
  /** Share of the transfer the hop carried (packets for the request, bytes for the reply). */
  share: number;
  relay?: string;
  carried: boolean;
}

export interface ObservedPaths {
  lab: string;
  mode: Lab['mode'];
  realServer: string;
  request: ObservedHop[];
  reply: ObservedHop[];
  /** The director's netfilter hooks each direction crossed (verify's counters), when they were read. */
  directorHooks?: { request: Hook[]; reply: Hook[] };
}

/** The request and reply paths of the first completed 1 MiB download, hop by hop, for `lvslab graph`. */
export function observedPaths(lab: Lab, obs: Observation): ObservedPaths | undefined {
  const t = obs.transfers.find((x) => x.node && !x.error && x.bytes > 0);
  if (!t) return undefined;
  const { request, reply } = expectedPaths(lab, t.node);
  const clientTx = nodeTx(lab, t, lab.clients[0], 'packets');
  const observe = (hops: Hop[], measure: 'bytes' | 'packets', total: number) =>
    hops.map((h) => {
      const x = hopShare(lab, t, h, measure, total);
      return { ...h, ...x, carried: hopCarried(x) };
    });
  const walk = obs.walk;
  const directorHooks =
    typeof walk === 'string' ? undefined : { request: HOOKS.filter((h) => walk[h].request > 0), reply: HOOKS.filter((h) => walk[h].reply > 0) };
  return {
    lab: lab.name,
    mode: lab.mode,
    realServer: t.node,
    request: observe(request, 'packets', clientTx),
    reply: observe(reply, 'bytes', t.bytes),
    directorHooks,
  };
}
