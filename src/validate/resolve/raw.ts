/** The topology as the shape check leaves it (every key optional but name and mode), and what the resolvers share. */
import type { CheckType, Mode, Protocol, Scheduler } from '../../model/lab.js';
import type { YamlPath } from '../../model/problems.js';

export interface RawNetwork {
  subnet: string;
  subnet6?: string;
}
export interface RawClient {
  name?: string;
  network?: string;
  address?: string;
  address6?: string;
}
export interface RawRealServer extends RawClient {
  weight?: number;
  gateway?: string;
}
export interface RawCheck {
  type?: CheckType;
  port?: number;
  path?: string;
  expect?: number;
  interval?: number;
  timeout?: number;
  retries?: number;
  retryDelay?: number;
}
export interface RawDirector {
  name?: string;
  network?: string;
  address?: string;
  address6?: string;
  priority?: number;
}
export interface RawVrrp {
  routerId?: number;
  advertInterval?: number;
}
export interface RawService {
  protocol?: Protocol;
  port: number;
  vip?: string;
  family?: 'ipv4' | 'ipv6' | 'dual';
  realPort?: number;
  scheduler?: Scheduler;
  persistence?: number;
  realServers?: string[];
  weights?: Record<string, number>;
  check?: RawCheck;
  /** From an own keepalived.conf: the members by address (real_server lines), instead of realServers and weights. */
  members?: Array<{ address: string; port: number; weight: number }>;
}
export interface RawStep {
  fault?: string;
  wait?: number;
  load?: { requests: number; answered?: 'all' | 'none' | number };
  expect?: { out?: string; in?: string; vipOn?: string; servedBy?: string[]; within?: number };
}
export interface RawScenario {
  name: string;
  steps: RawStep[];
}
export interface RawTopology {
  name: string;
  mode: Mode;
  vip?: string;
  vip6?: string;
  networks?: Record<string, RawNetwork>;
  clients?: number | RawClient[];
  gateway?: { name?: string; addresses?: Record<string, string>; addresses6?: Record<string, string> };
  director?: { name?: string; network?: string; address?: string; address6?: string };
  directors?: number | RawDirector[];
  realServers?: number | RawRealServer[];
  services?: RawService[];
  scenarios?: RawScenario[];
  keepalived?: boolean | { check?: RawCheck; vrrp?: RawVrrp; sync?: boolean; config?: string | string[] };
}

export const DEFAULT_NETWORKS: Record<string, RawNetwork> = {
  outside: { subnet: '198.51.100.0/24' },
  lan: { subnet: '10.10.0.0/24' },
};
/** The default networks' IPv6 subnets, when a service asks for IPv6 and the networks are the defaults. */
export const DEFAULT_SUBNETS6: Record<string, string> = { outside: '2001:db8:100::/64', lan: 'fd00:10::/64' };
export const GATEWAY_HOST = 1;
export const DIRECTOR_HOST = 2;
export const VIP_HOST = 100;
export const FIRST_AUTO_HOST = 10;

/** A node before its interfaces are built: where it sits and what address it asked for. */
export interface Placement {
  name: string;
  path: YamlPath;
  network: string;
  explicitAddress?: string;
  address?: number;
  /** Its IPv6 address as written (`address6`), on a dual-stack network; else it mirrors the IPv4 host. */
  explicitAddress6?: string;
}

/** A director of a VRRP pair before its interfaces are built. */
export type DirectorPlacement = Placement & { priority?: number };

/** A real server before its interfaces are built. */
export type ServerPlacement = Placement & { weight: number; gateway?: string };

/** What every resolver is handed: the raw topology and where to report a problem (reports keep their order). */
export interface ResolveContext {
  raw: RawTopology;
  report(path: YamlPath, message: string): void;
}

/** A list for a message: the first dozen names, then how many more. */
export function listed(names: string[]): string {
  return names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')} and ${names.length - 12} more`;
}
