/**
 * The resolved lab: what `validate` produces from a topology file once every default is filled in
 * and every rule holds. Every later stage (plan, apply, verify, report) reads only this.
 */

export const MODES = ['nat', 'dr', 'tun', 'fullnat'] as const;
export type Mode = (typeof MODES)[number];

export const PROTOCOLS = ['tcp', 'udp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Mainline IPVS schedulers (ipvsadm(8)); `twos` exists from Linux 5.x on. */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'fo', 'ovf', 'lblc', 'lblcr', 'dh', 'sh', 'mh', 'twos'] as const;
export type Scheduler = (typeof SCHEDULERS)[number];

export type Role = 'client' | 'gateway' | 'director' | 'realServer';

export interface Network {
  name: string;
  /** Network address, e.g. 10.10.0.0 */
  address: string;
  prefix: number;
  /** The bridge that joins this network's links, inside the lab's switch namespace. */
  bridge: string;
}

/** One interface of a node: a veth whose peer sits on the network's bridge. */
export interface Interface {
  name: string;
  network: string;
  address: string;
  prefix: number;
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
  vip: string;
  port: number;
  scheduler: Scheduler;
  /** Persistence timeout in seconds (ipvsadm -p), when set. */
  persistence?: number;
  members: ServiceMember[];
  /** Set when keepalived runs the lab's IPVS table. */
  check?: HealthCheck;
}

/** keepalived on the director: it writes the IPVS table and checks the real servers. */
export interface Keepalived {
  /** Where the director's keepalived.conf, pid files and log live (under /run/lvslab/<lab>/). */
  files: KeepalivedFiles;
}

export interface KeepalivedFiles {
  config: string;
  pid: string;
  checkersPid: string;
  log: string;
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
  director: Node;
  realServers: RealServer[];
  services: Service[];
  keepalived?: Keepalived;
}

/** Every node of the lab in a stable order: clients, gateway, director, real servers. */
export function allNodes(lab: Lab): Node[] {
  return [...lab.clients, lab.gateway, lab.director, ...lab.realServers];
}

/** The address a node has on a given network, if it is attached to it. */
export function addressOn(node: Node, network: string): string | undefined {
  return node.interfaces.find((i) => i.network === network)?.address;
}
