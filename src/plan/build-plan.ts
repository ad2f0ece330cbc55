/**
 * Stage 3, plan: a Lab becomes the exact ordered commands that build it. Pure data (argv arrays,
 * with standard input where a tool takes a batch), so it can be printed, golden-tested and diffed.
 *
 * Commands are batched per namespace (`ip -batch`, one `sysctl -w` with every key, `ipvsadm -R`,
 * `iptables-restore`): building a lab costs a few processes per node instead of one per command.
 */
import { createHash } from 'node:crypto';
import {
  allNodes,
  DIRECTOR_LOCAL_PORTS,
  directorsOf,
  familyOf,
  hostPort,
  type Lab,
  type Node,
  type RealServer,
  type Service,
  type ServiceMember,
} from '../model/lab.js';
import { familiesOf, isDualStack } from '../model/family-view.js';
import { markOf, SWITCH_NODE } from '../model/naming.js';
import { SERVICE_READY } from '../model/package-root.js';
import { lvsMode } from '../modes/index.js';
import { keepalivedSteps } from './keepalived.js';

export { PHASES, type Phase, type Step } from '../model/step.js';
import type { Step } from '../model/step.js';

export interface Plan {
  lab: string;
  mode: Lab['mode'];
  /** Identifies the resolved topology; stored in every namespace's ownership mark. */
  hash: string;
  /** Every namespace the lab creates, switch first. */
  namespaces: string[];
  steps: Step[];
}

export interface PlanOptions {
  /** The command that runs the real servers' service (node and its entry), as the real servers will run it. */
  service: readonly string[];
}

export { TUN_ADVMSS } from '../modes/tun.js';

export function labHash(lab: Lab): string {
  // What is built, not where it was written: the topology's and configs' paths and the scenarios (run later) do not count.
  const { source: _source, scenarios: _scenarios, ...rest } = lab;
  const own = lab.keepalived?.own;
  const built = own ? { ...rest, keepalived: { ...lab.keepalived, own: Object.values(own).map((o) => o.lines) } } : rest;
  return createHash('sha256').update(JSON.stringify(built)).digest('hex').slice(0, 12);
}

export function buildPlan(lab: Lab, options: PlanOptions): Plan {
  const hash = labHash(lab);
  const nodes = allNodes(lab);
  const steps: Step[] = [
    modulesStep(lab),
    createStep(lab, nodes),
    switchStep(lab, hash),
    ...nodes.flatMap((node) => [sysctlStep(lab, node), addressStep(lab, node, hash)]),
    ...ipvsSteps(lab),
    ...lab.realServers.flatMap((rs) => serviceSteps(lab, rs, options.service)),
    // keepalived comes last: its first checks must find the real servers' services running.
    ...(lab.keepalived ? keepalivedSteps(lab) : []),
  ];
  return { lab: lab.name, mode: lab.mode, hash, namespaces: [lab.switchNamespace, ...nodes.map((n) => n.namespace)], steps };
}

function modulesStep(lab: Lab): Step {
  const facts = lvsMode(lab.mode).facts;
  const modules = ['ip_vs', ...facts.modules, ...(familiesOf(lab).includes('ipv6') ? facts.modules6 : [])];
  return { phase: 'modules', node: 'host', title: 'load the kernel modules the lab needs', argv: ['modprobe', '-a', ...modules], modules };
}

/**
 * Namespaces and veth pairs, created directly inside their namespaces: the root namespace keeps nothing.
 * The switch's end is named first: Linux 6.1 (Debian 12) checks that name against the namespace ip runs
 * in, where a node's `eth0` would clash with the host's own (every Vagrant VM has one).
 */
function createStep(lab: Lab, nodes: Node[]): Step {
  const input = [
    `netns add ${lab.switchNamespace}`,
    ...nodes.map((n) => `netns add ${n.namespace}`),
    ...nodes.flatMap((n) => n.interfaces.map((i) => `link add ${i.peer} netns ${lab.switchNamespace} type veth peer name ${i.name} netns ${n.namespace}`)),
  ];
  return { phase: 'create', node: 'host', title: 'create namespaces and veth pairs', argv: ['ip', '-batch', '-'], input };
}

function markLines(lab: Lab, node: string, hash: string): string[] {
  return [`link set dev lo alias ${markOf({ lab: lab.name, node, planHash: hash })}`, 'link set dev lo up'];
}

function switchStep(lab: Lab, hash: string): Step {
  const input = [...markLines(lab, SWITCH_NODE, hash)];
  for (const net of lab.networks) input.push(`link add ${net.bridge} type bridge`, `link set dev ${net.bridge} up`);
  for (const node of allNodes(lab)) {
    for (const i of node.interfaces) {
      const bridge = lab.networks.find((n) => n.name === i.network)!.bridge;
      input.push(`link set dev ${i.peer} master ${bridge}`, `link set dev ${i.peer} up`);
    }
  }
  return { phase: 'bridges', node: SWITCH_NODE, title: 'bridges: one per network', argv: ['ip', '-n', lab.switchNamespace, '-batch', '-'], input };
}

/** Real servers that answer the client directly hold the VIP themselves, hidden from ARP. */
function isDirectReturn(lab: Lab): boolean {
  return lvsMode(lab.mode).facts.repliesBypassDirector;
}

/** Every sysctl is set explicitly: a new namespace copies conf/all and conf/default from the initial one. */
function sysctlStep(lab: Lab, node: Node): Step {
  const facts = lvsMode(lab.mode).facts;
  const forwards = node.role === 'gateway' || (node.role === 'director' && facts.directorForwards);
  const hidesVip = node.role === 'realServer' && isDirectReturn(lab);
  const tunnel = node.role === 'realServer' && facts.vipDevice === 'tunl0' ? ['tunl0'] : [];
  const interfaces = [...node.interfaces.map((i) => i.name), ...tunnel];
  const settings: Array<[string, string | number]> = [
    ['net.ipv4.ip_forward', forwards ? 1 : 0],
    ['net.ipv4.conf.all.rp_filter', 0],
    ['net.ipv4.conf.default.rp_filter', 0],
    // arp_ignore/arp_announce act as max(all, interface): set both, or the real server answers ARP for the VIP.
    ['net.ipv4.conf.all.arp_ignore', hidesVip ? 1 : 0],
    ['net.ipv4.conf.all.arp_announce', hidesVip ? 2 : 0],
  ];
  // A one-armed director forwards replies out the interface they came in on, so the kernel would send the
  // real server an ICMP redirect ("use the gateway"), and replies would then bypass the director un-NATed.
  // send_redirects is on when all OR the interface says so; accept_redirects needs both.
  const sendsRedirects = node.role === 'gateway' ? 1 : 0;
  settings.push(['net.ipv4.conf.all.send_redirects', sendsRedirects], ['net.ipv4.conf.default.send_redirects', sendsRedirects]);
  settings.push(['net.ipv4.conf.all.accept_redirects', node.role === 'realServer' ? 0 : 1]);
  for (const name of interfaces) {
    settings.push([`net.ipv4.conf.${name}.rp_filter`, 0]);
    if (name !== 'tunl0') settings.push([`net.ipv4.conf.${name}.send_redirects`, sendsRedirects]);
    if (name !== 'tunl0') settings.push([`net.ipv4.conf.${name}.arp_ignore`, hidesVip ? 1 : 0], [`net.ipv4.conf.${name}.arp_announce`, hidesVip ? 2 : 0]);
  }
  // IPVS connections must be visible to netfilter for fullnat's source NAT.
  if (node.role === 'director') settings.push(['net.ipv4.vs.conntrack', facts.vsConntrack ? 1 : 0]);
  if (node.role === 'director' && lab.keepalived) settings.push(['net.ipv4.ip_local_port_range', DIRECTOR_LOCAL_PORTS.join(' ')]);
  // In a pair, whoever sends to an address that moves (the gateway to the VIP; the real servers of a NAT or
  // FULLNAT pair to its floating address) takes the new master's gratuitous ARP at once: with the default locktime (1 s)
  // an entry updated just before is kept, and traffic went to the dead master until keepalived's next
  // burst 5 s later (measured: outages of 12-15 s).
  const followsVrrp = node.role === 'gateway' || (node.role === 'realServer' && lab.keepalived?.vrrp?.floating !== undefined);
  if (lab.keepalived?.vrrp && followsVrrp) for (const i of node.interfaces) settings.push([`net.ipv4.neigh.${i.name}.locktime`, 0]);
  if (isDualStack(lab)) settings.push(...ipv6Settings(node, forwards));
  return {
    phase: 'nodes',
    node: node.name,
    title: 'kernel settings',
    argv: ['ip', 'netns', 'exec', node.namespace, 'sysctl', '-q', '-w', ...settings.map(([k, v]) => `${k}=${v}`)],
  };
}

/**
 * A dual-stack node's IPv6 settings. DAD off before the links come up (addresses are usable at once instead of
 * after a second of tentative state; the lab's addresses are unique by construction); forwarding where IPv4's
 * is on; no redirects taken by a real server (IPv6 routers send them with no send_redirects to turn off).
 */
function ipv6Settings(node: Node, forwards: boolean): Array<[string, number]> {
  const settings: Array<[string, number]> = [
    ['net.ipv6.conf.all.forwarding', forwards ? 1 : 0],
    ['net.ipv6.conf.all.accept_dad', 0],
    ['net.ipv6.conf.default.accept_dad', 0],
  ];
  const accepts = node.role === 'realServer' ? 0 : 1;
  settings.push(['net.ipv6.conf.all.accept_redirects', accepts], ['net.ipv6.conf.default.accept_redirects', accepts]);
  for (const i of node.interfaces) settings.push([`net.ipv6.conf.${i.name}.accept_dad`, 0], [`net.ipv6.conf.${i.name}.accept_redirects`, accepts]);
  return settings;
}

function vipsOf(lab: Lab, rs?: RealServer): string[] {
  const services = rs ? lab.services.filter((s) => s.members.some((m) => m.realServer === rs.name)) : lab.services;
  return [...new Set(services.map((s) => s.vip))];
}

/** An address as `ip addr add` takes it: IPv6 without duplicate address detection (nodad), which would hold it back a second. */
function addrLine(address: string, prefix: number, device: string): string {
  return familyOf(address) === 'ipv6' ? `addr add ${address}/${prefix} dev ${device} nodad` : `addr add ${address}/${prefix} dev ${device}`;
}

function hostPrefix(address: string): number {
  return familyOf(address) === 'ipv6' ? 128 : 32;
}

function addressStep(lab: Lab, node: Node, hash: string): Step {
  const input = markLines(lab, node.name, hash);
  for (const i of node.interfaces) {
    input.push(addrLine(i.address, i.prefix, i.name));
    if (i.address6) input.push(addrLine(i.address6, i.prefix6!, i.name));
    input.push(`link set dev ${i.name} up`);
  }
  // A pair's VIP is keepalived's to move (VRRP); one director holds it from the start.
  if (node.role === 'director' && !lab.keepalived?.vrrp) {
    // An IPv6 VIP is deprecated at once (preferred_lft 0): still the director's, never the source it picks. Else TUN's
    // outer source could be the VIP, which the real server holds itself and so refuses the tunnelled packet from.
    for (const vip of vipsOf(lab))
      input.push(`${addrLine(vip, hostPrefix(vip), node.interfaces[0].name)}${familyOf(vip) === 'ipv6' ? ' preferred_lft 0' : ''}`);
  }
  const facts = lvsMode(lab.mode).facts;
  if (node.role === 'realServer' && facts.vipDevice) {
    const vips = vipsOf(lab, node as RealServer);
    const deviceOf = (vip: string) => (familyOf(vip) === 'ipv6' ? facts.vipDevice6 : facts.vipDevice)!;
    // lo is always up; a tunnel device must be brought up.
    for (const device of new Set(vips.map(deviceOf))) if (device !== 'lo') input.push(`link set dev ${device} up`);
    for (const vip of vips) input.push(addrLine(vip, hostPrefix(vip), deviceOf(vip)));
  }
  const options = (text: string | undefined) => (node.role === 'realServer' && text ? ` ${text}` : '');
  if (node.defaultGateway) input.push(`route add default via ${node.defaultGateway}${options(facts.realServerRouteOptions)}`);
  if (node.defaultGateway6) input.push(`route add default via ${node.defaultGateway6}${options(facts.realServerRouteOptions6)}`);
  return { phase: 'nodes', node: node.name, title: 'addresses and routes', argv: ['ip', '-n', node.namespace, '-batch', '-'], input };
}

function serviceFlag(service: Service): string {
  return service.protocol === 'tcp' ? '-t' : '-u';
}

/** The lab's IPVS table as `ipvsadm -R` lines (verify compares the director's live table with them). */
export function ipvsRules(lab: Lab): string[] {
  return lab.services.flatMap((s) => {
    const virtual = `${serviceFlag(s)} ${hostPort(s.vip, s.port)}`;
    return [
      `-A ${virtual} -s ${s.scheduler}${s.persistence ? ` -p ${s.persistence}` : ''}`,
      ...s.members.map((m) => `-a ${virtual} -r ${hostPort(m.address, m.port)} ${lvsMode(lab.mode).facts.forwardingFlag} -w ${m.weight}`),
    ];
  });
}

/** The IPVS table (unless keepalived writes it) and the mode's own director steps, on each director of a pair. */
function ipvsSteps(lab: Lab): Step[] {
  const director = lab.director;
  const steps: Step[] = lab.keepalived
    ? []
    : [
        {
          phase: 'ipvs',
          node: director.name,
          title: 'IPVS virtual services',
          argv: ['ip', 'netns', 'exec', director.namespace, 'ipvsadm', '-R'],
          input: ipvsRules(lab),
        },
      ];
  steps.push(...directorsOf(lab).flatMap((d) => lvsMode(lab.mode).directorSteps(lab, d)));
  return steps;
}

/** The address a real server's UDP service binds to: replies must leave from the address the request reached. */
function listenAddress(lab: Lab, service: Service, member: ServiceMember): string {
  // The member's address is the real server's own in the service's family.
  return isDirectReturn(lab) ? service.vip : member.address;
}

/** ADDRESS:PORT as the service's listeners take it (IPv6 in brackets). */
const listenerAt = (protocol: string, address: string, port: number) => `${protocol}:${hostPort(address, port)}`;

/** The listeners of a real server's service: one per service it is a member of (TCP on every address). */
export function serviceListeners(lab: Lab, rs: RealServer): string[] {
  const listeners = lab.services.flatMap((service) => {
    const member = service.members.find((m) => m.realServer === rs.name);
    if (!member) return [];
    const listen = listenAddress(lab, service, member);
    if (service.protocol === 'tcp') return [listenerAt('tcp', familyOf(service.vip) === 'ipv6' ? '::' : '0.0.0.0', member.port)];
    // A udp service bound to the VIP cannot answer keepalived's check, sent to the real server's own address.
    const check = service.check?.type === 'udp' && listen !== member.address ? [listenerAt('udp', member.address, member.port)] : [];
    return [listenerAt('udp', listen, member.port), ...check];
  });
  return [...new Set(listeners)];
}

/** The real server's service: one process serving every listener, started once it says it is ready. */
function serviceSteps(lab: Lab, rs: RealServer, service: readonly string[]): Step[] {
  const listeners = serviceListeners(lab, rs);
  if (listeners.length === 0) return [];
  return [
    {
      phase: 'services',
      node: rs.name,
      title: `service on ${listeners.join(', ')}`,
      argv: ['ip', 'netns', 'exec', rs.namespace, ...service, rs.name, ...listeners],
      daemon: true,
      ready: SERVICE_READY,
    },
  ];
}
