/**
 * The resolved lab: what `validate` produces from a topology file once every default is filled in
 * and every rule holds. Every later stage (plan, apply, verify, report) reads only this.
 */
import type { Scenario } from './scenario.js';

export const MODES = ['nat', 'dr', 'tun', 'fullnat'] as const;
export type Mode = (typeof MODES)[number];

export const PROTOCOLS = ['tcp', 'udp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Mainline IPVS schedulers (ipvsadm(8)); `twos` exists from Linux 5.x on. */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'fo', 'ovf', 'lblc', 'lblcr', 'dh', 'sh', 'mh', 'twos'] as const;
export type Scheduler = (typeof SCHEDULERS)[number];

export type Role = 'client' | 'gateway' | 'director' | 'realServer';

/** An address family: a lab is IPv4, and dual-stack where its networks also carry an IPv6 subnet (`subnet6`). */
export const FAMILIES = ['ipv4', 'ipv6'] as const;
export type Family = (typeof FAMILIES)[number];

/** The family of an address as the Lab writes it (IPv6 text always has a colon, IPv4 never). */
export function familyOf(address: string): Family {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

/** address:port as tools write it: IPv6 in brackets ([fd00:10::100]:80). */
export function hostPort(address: string, port: number): string {
  return familyOf(address) === 'ipv6' ? `[${address}]:${port}` : `${address}:${port}`;
}

export interface Network {
  name: string;
  /** Network address, e.g. 10.10.0.0 */
  address: string;
  prefix: number;
  /** Its IPv6 subnet, when the network is dual-stack. */
  address6?: string;
  prefix6?: number;
  /** The bridge that joins this network's links, inside the lab's switch namespace. */
  bridge: string;
}

/** One interface of a node: a veth whose peer sits on the network's bridge. */
export interface Interface {
  name: string;
  network: string;
  address: string;
  prefix: number;
  /** Its IPv6 address, when the network is dual-stack. */
  address6?: string;
  prefix6?: number;
  /** Name of the veth peer inside the switch namespace. */
  peer: string;
}

export interface Node {
  name: string;
  role: Role;
  namespace: string;
  interfaces: Interface[];
  /** Default route's next hop, when the node has one (the gateway has none). */
  defaultGateway?: string;
  /** The IPv6 default route's next hop, when the node's network is dual-stack. */
  defaultGateway6?: string;
}

export interface RealServer extends Node {
  role: 'realServer';
  weight: number;
}

export interface ServiceMember {
  realServer: string;
  address: string;
  port: number;
  weight: number;
}

/** How keepalived checks a service's real servers; `none` keeps them in the table whatever happens. */
export const CHECK_TYPES = ['tcp', 'http', 'udp', 'none'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

/** One service's health check (keepalived's checker block); times in seconds, fractions allowed. */
export interface HealthCheck {
  type: CheckType;
  /** Port the checker connects to: the member's port unless set. */
  port?: number;
  /** http only: the path asked for and the status expected. */
  path?: string;
  expect?: number;
  /** keepalived's delay_loop, connect_timeout, retry and delay_before_retry. */
  interval: number;
  timeout: number;
  retries: number;
  retryDelay: number;
}

/**
 * The longest a dead real server may stay in the table: the wait for the next check, then every
 * attempt timing out, with the delays between retries.
 */
export function checkBudget(check: HealthCheck): number {
  return check.interval + check.timeout + check.retries * (check.retryDelay + check.timeout);
}

export interface Service {
  protocol: Protocol;
  /** IPv4 or IPv6 (a dual-stack service is two Services, one per VIP); its members' addresses are of the same family. */
  vip: string;
  port: number;
  scheduler: Scheduler;
  /** Persistence timeout in seconds (ipvsadm -p), when set. */
  persistence?: number;
  members: ServiceMember[];
  /** Set when keepalived runs the lab's IPVS table. */
  check?: HealthCheck;
}

/** keepalived on the director(s): it writes the IPVS table, checks the real servers and, for a pair, moves the VIP. */
export interface Keepalived {
  /** Per director: where its keepalived.conf, pid files and log live (under /run/lvslab/<lab>/<director>/). */
  files: Record<string, KeepalivedFiles>;
  /** A director pair's VRRP instance; none for one director. */
  vrrp?: Vrrp;
  /** Per director: the keepalived.conf the topology brought (`keepalived.config`), run as written; lvslab writes one otherwise. */
  own?: Record<string, { file: string; lines: string[] }>;
}

export interface KeepalivedFiles {
  config: string;
  pid: string;
  vrrpPid: string;
  checkersPid: string;
  log: string;
}

/**
 * The local ports of a keepalived director's own connections (its checkers'), apart from the clients'
 * (32768-60999, Linux's default): the hook walk tells the checkers' traffic from the lab's by them.
 */
export const DIRECTOR_LOCAL_PORTS = [61000, 65000] as const;

/** The VRRP instance of a director pair. */
export interface Vrrp {
  routerId: number;
  /** Seconds between adverts; below 1 s keepalived needs VRRP version 3. */
  advertInterval: number;
  /** The IPVS sync daemon copies the master's connections to the backup. */
  sync: boolean;
  /** Per director, in the order of `directors` (the master first). */
  priorities: number[];
  /**
   * An address that moves with the VIP (the last host of the directors' network), so that replies reach
   * whichever director is master: NAT's real servers route through it, FULLNAT's source NAT gives it to
   * requests (see pairFloat in modes/lvs-mode.ts). None in DR and TUN.
   */
  floating?: string;
}

export interface Lab {
  name: string;
  mode: Mode;
  /** The file it came from, for messages. */
  source: string;
  switchNamespace: string;
  networks: Network[];
  clients: Node[];
  gateway: Node;
  /** The director; of a pair, the first (the VRRP master). */
  director: Node;
  /** The other directors of a pair (VRRP backups), in priority order; absent with one director. */
  backups?: Node[];
  realServers: RealServer[];
  services: Service[];
  keepalived?: Keepalived;
  /** Timelines of faults, load and expectations (`scenarios:`), in the topology's order. */
  scenarios?: Scenario[];
}

/** Every node of the lab in a stable order: clients, gateway, directors, real servers. */
export function allNodes(lab: Lab): Node[] {
  return [...lab.clients, lab.gateway, ...directorsOf(lab), ...lab.realServers];
}

/** The director, or every director of a pair (the master first). */
export function directorsOf(lab: Lab): Node[] {
  return [lab.director, ...(lab.backups ?? [])];
}

/** The source address FULLNAT's source NAT gives requests: a pair's floating address, else the director's own. */
export function sourceNatAddress(lab: Lab): string {
  return lab.keepalived?.vrrp?.floating ?? lab.director.interfaces[0].address;
}

/** The address a node has on a given network, if it is attached to it. */
export function addressOn(node: Node, network: string): string | undefined {
  return node.interfaces.find((i) => i.network === network)?.address;
}
