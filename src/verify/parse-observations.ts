/**
 * Pure parsers for what the verifier observes: tcpdump's `-nn -e` lines (Ethernet, IPv4 with ports,
 * IP-in-IP, ARP), `/proc/net/dev` of every namespace, and `ip -j` output of every namespace, all as
 * printed through `ip -all netns exec` ("netns: NAME" headers). Tested on captured text.
 */
import { splitByNamespace } from '../apply/all-namespaces.js';
import { allNodes, type Lab } from '../model/lab.js';

export { splitByNamespace };
export type { Counters, Endpoint, Frame, LinkCounters } from '../model/observation.js';
import type { Counters, Endpoint, Frame, LinkCounters } from '../model/observation.js';

const MAC = '[0-9a-f]{2}(?::[0-9a-f]{2}){5}';
const FRAME = new RegExp(`^\\S+ (${MAC}) > (${MAC}), ethertype (\\S+) \\(0x[0-9a-f]+\\), length (\\d+): (.*)$`);
const IPV4 = /^(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?$/;
/** tcpdump writes an IPv6 endpoint as ADDRESS.PORT too (2001:db8::10.39550): the address has no dot. */
const IPV6 = /^([0-9a-f]*:[0-9a-f:]*)(?:\.(\d+))?$/;

function endpoint(text: string): Endpoint | undefined {
  const m = IPV4.exec(text) ?? IPV6.exec(text);
  if (!m) return undefined;
  return m[2] === undefined ? { ip: m[1] } : { ip: m[1], port: Number(m[2]) };
}

/** One line of `tcpdump -nn -e`; undefined for lines that are not frames. */
export function parseFrame(line: string): Frame | undefined {
  const m = FRAME.exec(line.trim());
  if (!m) return undefined;
  const [, srcMac, dstMac, ethertype, lengthText, rest] = m;
  const length = Number(lengthText);
  if (ethertype === 'ARP') {
    const reply = new RegExp(`^Reply (\\S+) is-at (${MAC})`).exec(rest);
    if (reply) return { srcMac, dstMac, length, kind: 'arp', arp: { op: 'reply', ip: reply[1], mac: reply[2] } };
    const request = /^Request who-has (\S+)/.exec(rest);
    return { srcMac, dstMac, length, kind: 'arp', arp: request ? { op: 'request', ip: request[1] } : undefined };
  }
  if (ethertype !== 'IPv4' && ethertype !== 'IPv6') return { srcMac, dstMac, length, kind: 'other' };
  const kind = ethertype === 'IPv4' ? 'ipv4' : 'ipv6';
  // IPv6's neighbour discovery is its ARP: a solicitation asks who has the target, an advertisement (from its sender's MAC) answers.
  const ndp = /^\S+ > \S+: ICMP6, neighbor (solicitation, who has|advertisement, tgt is) ([0-9a-f:]+)/.exec(rest);
  if (ndp)
    return {
      srcMac,
      dstMac,
      length,
      kind: 'arp',
      arp: ndp[1].startsWith('solicitation') ? { op: 'request', ip: ndp[2] } : { op: 'reply', ip: ndp[2], mac: srcMac },
    };
  const headers = /^(\S+) > (\S+?): (?:(\S+) > (\S+?): )?/.exec(rest);
  if (!headers) return { srcMac, dstMac, length, kind };
  const frame: Frame = { srcMac, dstMac, length, kind, src: endpoint(headers[1]), dst: endpoint(headers[2]) };
  const innerSrc = headers[3] ? endpoint(headers[3]) : undefined;
  const innerDst = headers[4] ? endpoint(headers[4]) : undefined;
  if (innerSrc && innerDst && frame.src?.port === undefined) frame.inner = { src: innerSrc, dst: innerDst };
  return frame;
}

export function parseFrames(text: string): Frame[] {
  return text.split('\n').flatMap((line) => parseFrame(line) ?? []);
}

interface IpLinkStats {
  ifname: string;
  stats64?: { rx: { bytes: number; packets: number }; tx: { bytes: number; packets: number } };
}

/**
 * Every node link's counters from one reading of the lab's switch namespace
 * (`ip -n <lab>-switch -s -j link show`): a veth's bridge-side end sends exactly what the node's end
 * receives and the other way round, so rx and tx swap. Keyed like parseNetDev: node namespace ->
 * interface. One process, however many nodes (reading every namespace costs one per namespace).
 */
export function parseSwitchLinks(json: string, lab: Lab): Counters {
  const byPeer = new Map((JSON.parse(json) as IpLinkStats[]).map((l) => [l.ifname, l.stats64]));
  const counters: Counters = new Map();
  for (const node of allNodes(lab)) {
    const links = new Map<string, LinkCounters>();
    for (const i of node.interfaces) {
      const s = byPeer.get(i.peer);
      if (s) links.set(i.name, { rxBytes: s.tx.bytes, rxPackets: s.tx.packets, txBytes: s.rx.bytes, txPackets: s.rx.packets });
    }
    counters.set(node.namespace, links);
  }
  return counters;
}

/** What happened between two readings. Interfaces missing from either side count as zero. */
export function counterDelta(before: Counters, after: Counters): Counters {
  const delta: Counters = new Map();
  for (const [ns, links] of after) {
    const out = new Map<string, LinkCounters>();
    for (const [name, now] of links) {
      const was = before.get(ns)?.get(name) ?? { rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 };
      out.set(name, {
        rxBytes: now.rxBytes - was.rxBytes,
        rxPackets: now.rxPackets - was.rxPackets,
        txBytes: now.txBytes - was.txBytes,
        txPackets: now.txPackets - was.txPackets,
      });
    }
    delta.set(ns, out);
  }
  return delta;
}

/** namespace -> interface -> MAC, from `ip -all netns exec ip -j link show`. */
export function parseMacs(output: string): Map<string, Map<string, string>> {
  const macs = new Map<string, Map<string, string>>();
  for (const [ns, text] of splitByNamespace(output)) {
    const links = JSON.parse(jsonLine(text, 0)) as Array<{ ifname: string; address?: string }>;
    macs.set(ns, new Map(links.filter((l) => l.address).map((l) => [l.ifname, l.address!])));
  }
  return macs;
}

/** The n-th JSON document of a namespace's output (`ip -j -batch` prints one a line, in the batch's order). */
function jsonLine(text: string, n: number): string {
  return text.split('\n').filter((l) => l.trim() !== '')[n] ?? '[]';
}

/** Each namespace's default gateway, from the second document of `ip -all netns exec ip -j -batch node-readouts.ip`. */
export function parseDefaultGateways(output: string): Map<string, string | undefined> {
  return new Map([...splitByNamespace(output)].map(([ns, text]) => [ns, (JSON.parse(jsonLine(text, 1)) as Array<{ gateway?: string }>)[0]?.gateway] as const));
}

/** The MAC a neighbour table (`ip -j neigh show`) holds for an address. */
export function neighbourMac(json: string, address: string): string | undefined {
  const entries = JSON.parse(json.trim() || '[]') as Array<{ dst: string; lladdr?: string }>;
  return entries.find((e) => e.dst === address)?.lladdr;
}
