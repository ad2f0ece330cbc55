/**
 * What verify observes of a running lab and what it concludes: the data that flows from the verify
 * stage's probes and captures to its judge, the modes' own checks, and the reports.
 */
import type { Service } from './lab.js';

export interface Endpoint {
  ip: string;
  port?: number;
}

export interface Frame {
  srcMac: string;
  dstMac: string;
  /** Bytes on the wire (Ethernet frame). */
  length: number;
  /** ipv4 and ipv6: an IP packet; arp: ARP, or IPv6's neighbour solicitations and advertisements (NDP). */
  kind: 'ipv4' | 'ipv6' | 'arp' | 'other';
  src?: Endpoint;
  dst?: Endpoint;
  /** The inner header of an IP-in-IP packet (then src/dst are the outer addresses). */
  inner?: { src: Endpoint; dst: Endpoint };
  arp?: { op: 'request' | 'reply'; ip: string; mac?: string };
}

export interface LinkCounters {
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
}

/** namespace -> interface -> counters. */
export type Counters = Map<string, Map<string, LinkCounters>>;

export interface ProbeAnswer {
  protocol: 'tcp' | 'udp';
  target: string;
  ok: boolean;
  /** The answering real server's name, the client address it saw, the address it was reached on. */
  node?: string;
  seenPeer?: string;
  seenLocal?: string;
  /** Where the reply came from, as the client saw it. */
  replyFrom?: string;
  bytes?: number;
  error?: string;
  ms: number;
}

export const HOOKS = ['prerouting', 'input', 'forward', 'output', 'postrouting'] as const;
export type Hook = (typeof HOOKS)[number];
/** Packets per netfilter hook of the director, by direction. */
export type Walk = Record<Hook, { request: number; reply: number }>;

export interface Transfer {
  /** The real server that answered (its X-Lvslab-Node header). */
  node: string;
  /** Bytes the client received. */
  bytes: number;
  /** Every link's counters, after minus before. */
  delta: Counters;
  error?: string;
}

export interface Observation {
  /** Small requests, per client. */
  answers: Map<string, ProbeAnswer[]>;
  transfers: Transfer[];
  /** The large-transfer service, when the lab has a TCP service. */
  transferService?: Service;
  directorFrames: Frame[];
  gatewayArp: Frame[];
  /** The MAC the gateway holds for the VIP after the traffic. */
  gatewayVipMac?: string;
  /** namespace -> interface -> MAC */
  macs: Map<string, Map<string, string>>;
  /** real server -> next hop of its default route */
  defaultRoutes: Map<string, string | undefined>;
  /** Packets per netfilter hook of the director, by direction; or why they could not be counted. */
  walk: Walk | string;
  /** The director's live IPVS table, `ipvsadm -S -n` (rules in restore format). */
  ipvsRules: string[];
  /** Milliseconds spent in each part of the pass (the benchmark reports what dominates). */
  timings: Record<'captures' | 'probes' | 'transfers' | 'readouts', number>;
}

/** One named assertion about a running lab: what was expected, what was observed, where. */
export interface CheckResult {
  name: string;
  /** The node or hop the check is about, e.g. `client`, `director -> rs1`. */
  where: string;
  expected: string;
  observed: string;
  ok: boolean;
}
