/** Resolver 6: the virtual services: unique, members that exist (once each), weights, ports the mode allows. */
import type { Family, Service, ServiceMember } from '../../model/lab.js';
import { formatIPv4 } from '../../model/ipv4.js';
import { lvsMode, portRules } from '../../modes/index.js';
import { didYouMean } from '../did-you-mean.js';
import type { Addresses } from './addresses.js';
import type { Placements } from './nodes.js';
import { listed, type RawService, type ResolveContext } from './raw.js';

export function resolveServices(
  { raw, report }: ResolveContext,
  { servers }: Placements,
  { serviceVips }: Addresses,
  rawServices: RawService[],
  families: Family[][],
): Service[] {
  const mode = lvsMode(raw.mode);
  const serverNames = servers.map((s) => s.name);
  const serviceKeys = new Set<string>();
  const services: Service[] = [];
  for (const [i, s] of rawServices.entries()) {
    const protocol = s.protocol ?? 'tcp';
    const vip = serviceVips[i].vip;
    const key = `${protocol} ${vip}:${s.port}`;
    // A service served in IPv6 alone has no IPv4 VIP to clash on (the IPv6 resolver checks its own).
    if (families[i].includes('ipv4')) {
      if (serviceKeys.has(key)) report(['services', i], `service ${key} is defined twice`);
      serviceKeys.add(key);
    }
    const realPort = s.realPort ?? s.port;
    for (const problem of portRules(raw.mode, mode.facts, s.port, realPort, ['services', i, 'realPort'])) report(problem.path, problem.message);
    if (s.members) {
      services.push({
        protocol,
        vip: vip ?? '',
        port: s.port,
        scheduler: s.scheduler ?? 'rr',
        persistence: s.persistence,
        members: membersByAddress(i, s.members),
      });
      continue;
    }
    const memberNames = s.realServers ?? serverNames;
    for (const [j, name] of memberNames.entries()) {
      if (!serverNames.includes(name))
        report(['services', i, 'realServers', j], `"${name}" is not a real server; real servers: ${serverNames.join(', ')}${didYouMean(name, serverNames)}`);
      else if (s.realServers && memberNames.indexOf(name) !== j)
        report(
          ['services', i, 'realServers', j],
          `real server "${name}" is listed twice (also at [${memberNames.indexOf(name)}]); IPVS has one destination per real server and port`,
        );
    }
    const uniqueMembers = [...new Set(memberNames)];
    for (const name of Object.keys(s.weights ?? {})) {
      if (!memberNames.includes(name))
        report(
          ['services', i, 'weights', name],
          `"${name}" is not a member of this service; members: ${memberNames.join(', ')}${didYouMean(name, memberNames)}`,
        );
    }
    const members = uniqueMembers.flatMap((name) => {
      const server = servers.find((x) => x.name === name);
      if (!server || server.address === undefined) return [];
      return [{ realServer: name, address: formatIPv4(server.address), port: realPort, weight: s.weights?.[name] ?? server.weight }];
    });
    if (members.length > 0 && members.every((m) => m.weight === 0))
      report(['services', i], `every member of service ${key} has weight 0: nothing would serve it`);
    services.push({ protocol, vip: vip ?? '', port: s.port, scheduler: s.scheduler ?? 'rr', persistence: s.persistence, members });
  }

  return services;

  /** An own keepalived.conf names its real servers by address: each must be one of the lab's, once. */
  function membersByAddress(i: number, written: NonNullable<RawService['members']>): ServiceMember[] {
    const known = servers.filter((x) => x.address !== undefined).map((x) => ({ name: x.name, address: formatIPv4(x.address!) }));
    return written.flatMap((m, j) => {
      const server = known.find((x) => x.address === m.address);
      const path = ['services', i, 'members', j];
      if (!server) report(path, `no real server of the lab has address ${m.address}; real servers: ${listed(known.map((x) => `${x.name} ${x.address}`))}`);
      else if (written.findIndex((other) => other.address === m.address) !== j) report(path, `real server ${m.address} is listed twice in this virtual server`);
      else return [{ realServer: server.name, address: m.address, port: m.port, weight: m.weight }];
      return [];
    });
  }
}
