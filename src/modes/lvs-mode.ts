/**
 * One home per LVS forwarding mode. Each mode module implements LvsMode: its facts (one table the
 * stages read instead of asking "which mode is this?"), its validation rules, its plan fragments
 * for the director and the real servers, the reply path it promises, and the checks only it makes.
 * Adding a variant touches one file here and its tests.
 */
import type { Lab, Mode, Node, RealServer } from '../model/lab.js';
import type { CheckResult, Hook, Observation } from '../model/observation.js';
import type { YamlPath } from '../model/problems.js';
import type { Step } from '../model/step.js';

export interface ModeFacts {
  /** ipvsadm's forwarding method for the members. */
  forwardingFlag: '-m' | '-g' | '-i';
  /** Kernel modules the lab needs besides ip_vs. */
  modules: readonly string[];
  /** And those its IPv6 services need (TUN: IPv6-in-IPv6). */
  modules6: readonly string[];
  /** Replies go from the real server to the gateway and never touch the director. */
  repliesBypassDirector: boolean;
  /** A real server may listen on another port than the virtual service's; otherwise why not. */
  portMapping: true | { why: string };
  /** A director pair's IPVS sync daemon keeps connections under way through a failover; otherwise why not. */
  connectionSync: true | { why: string };
  /** The address a real server sees as its peer. */
  realServerSees: 'client' | 'director';
  /** The real servers' default gateway: the director, or their network's router. */
  realServerGateway: 'director' | 'router';
  /** Why real servers must share the director's L2 segment, when they must. */
  sameSegment?: string;
  /** The director routes packets (ip_forward=1). */
  directorForwards: boolean;
  /** IPVS connections visible to netfilter (net.ipv4.vs.conntrack=1). */
  vsConntrack: boolean;
  /** Where a real server holds the VIP, when it must accept packets for it. */
  vipDevice?: 'lo' | 'tunl0';
  /** Where it holds an IPv6 VIP (TUN: ip6tnl0, the IPv6-in-IPv6 fallback device; NDP never answers for lo's addresses on eth0). */
  vipDevice6?: 'lo' | 'ip6tnl0';
  /** Appended to a real server's default route (TUN clamps the MSS to the tunnel's MTU). */
  realServerRouteOptions?: string;
  /** The same for its IPv6 default route. */
  realServerRouteOptions6?: string;
  /** The director's netfilter hooks each direction crosses (measured; see docs/modes.md). */
  walk: { request: readonly Hook[]; reply: readonly Hook[] };
  /** Where the kernel's walk differs from what the LVS pages draw, when it does. */
  walkNote?: string;
}

/** A hop of a path: from one node to the next over a network. */
export interface Hop {
  from: string;
  to: string;
  network: string;
}

/**
 * What a director pair's floating address (the last host of the directors' network, held by the VRRP master
 * with the VIP) is for: the real servers' gateway where they route through the director (NAT), the source of
 * the director's source NAT where real servers see the director (FULLNAT); none where only the VIP moves.
 */
export function pairFloat(facts: ModeFacts): 'gateway' | 'source' | undefined {
  if (facts.realServerGateway === 'director') return 'gateway';
  return facts.realServerSees === 'director' ? 'source' : undefined;
}

/** The places of a reply path: the nodes and the networks between them. */
export interface PathPlaces {
  client: string;
  gateway: string;
  director: string;
  realServer: string;
  /** The director's network, the real server's, the client's. */
  lan: string;
  rsNet: string;
  clientNet: string;
}

export interface LvsMode {
  name: Mode;
  facts: ModeFacts;
  /** The path a reply takes from the real server to the client, as the mode promises it. */
  replyPath(p: PathPlaces): Hop[];
  /** Steps on the director beyond the IPVS table (FULLNAT's source NAT). */
  directorSteps(lab: Lab, director: Node): Step[];
  /** Checks of how the director hands requests on (frames, tunnels, replies), after the path checks. */
  deliveryChecks(lab: Lab, obs: Observation): CheckResult[];
  /** Checks of the real servers' routes, after the peer checks. */
  routingChecks(lab: Lab, obs: Observation): CheckResult[];
}

/** What a mode rule is told about one real server (validation). */
export interface RealServerPlacement {
  server: Pick<RealServer, 'name'> & { network: string; gateway?: string };
  /** Where to report: the server's network key, and its gateway key. */
  networkPath: YamlPath;
  gatewayPath: YamlPath;
  directorNetwork: string;
  directorAddress?: string;
  /** The gateway's (router's) address on the server's network. */
  routerAddress?: string;
}

export interface RuleProblem {
  path: YamlPath;
  message: string;
}
