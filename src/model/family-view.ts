/**
 * A dual-stack lab seen one family at a time. The IPv6 view puts every IPv6 address, prefix and default
 * route where IPv4's stand and keeps the IPv6 services only, so that verify, which reads a Lab, proves the
 * same promises for each family without knowing which one it is looking at.
 */
import { familyOf, type Family, type Lab, type Node } from './lab.js';

/** The families the lab serves, IPv4 first. */
export function familiesOf(lab: Lab): Family[] {
  const served = new Set(lab.services.map((s) => familyOf(s.vip)));
  return (['ipv4', 'ipv6'] as const).filter((f) => served.has(f));
}

/** True when some network of the lab carries an IPv6 subnet. */
export function isDualStack(lab: Lab): boolean {
  return lab.networks.some((n) => n.address6 !== undefined);
}

function nodeIn6<T extends Node>(node: T): T {
  return {
    ...node,
    // A node on an IPv4-only network keeps its IPv4 address: no IPv6 service reaches it.
    interfaces: node.interfaces.map((i) => (i.address6 ? { ...i, address: i.address6, prefix: i.prefix6! } : i)),
    defaultGateway: node.defaultGateway6,
  };
}

export function familyView(lab: Lab, family: Family): Lab {
  const services = lab.services.filter((s) => familyOf(s.vip) === family);
  if (family === 'ipv4') return { ...lab, services };
  return {
    ...lab,
    networks: lab.networks.map((n) => (n.address6 ? { ...n, address: n.address6, prefix: n.prefix6! } : n)),
    clients: lab.clients.map(nodeIn6),
    gateway: nodeIn6(lab.gateway),
    director: nodeIn6(lab.director),
    ...(lab.backups ? { backups: lab.backups.map(nodeIn6) } : {}),
    realServers: lab.realServers.map(nodeIn6),
    services,
  };
}

/** The family a view shows: that of its services (IPv4 for a lab without any). */
export function viewFamily(lab: Lab): Family {
  return lab.services.length > 0 ? familyOf(lab.services[0].vip) : 'ipv4';
}
