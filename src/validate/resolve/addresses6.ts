/**
 * Resolver 5b: IPv6, for dual-stack labs. A network with a `subnet6` is dual-stack; each node on it gets the
 * IPv6 address that mirrors its IPv4 host (.11 -> ::11), the director's network gives the lab its `vip6`
 * (default ::100), and each service is served on the VIPs of its family (ipv4, ipv6 or dual). A service of
 * IPv6 needs IPv6 wherever its packets go: the director's network, its members' networks, the clients'.
 */
import { familyOf, type Family, type Service } from '../../model/lab.js';
import { formatIPv6, isHostOf6, mirrorHost6, overlaps6, parseCidr6, parseIPv6, type Cidr6 } from '../../model/ipv6.js';
import type { YamlPath } from '../../model/problems.js';
import type { Addresses } from './addresses.js';
import type { Networks } from './networks.js';
import type { Placements } from './nodes.js';
import { DEFAULT_SUBNETS6, VIP_HOST, type Placement, type RawService, type ResolveContext } from './raw.js';

export interface Addresses6 {
  /** network -> its IPv6 subnet, for the dual-stack networks. */
  subnets6: Map<string, Cidr6>;
  /** node name -> its IPv6 address, for the nodes on a dual-stack network. */
  nodes6: Map<string, string>;
  /** network -> the gateway's IPv6 address there. */
  gateway6: Map<string, string>;
  /** Per service (in the topology's order): the families it is served in. */
  families: Family[][];
  /** Per service: its IPv6 VIP, when it is served in IPv6. */
  vips6: Array<string | undefined>;
}

type Wanted = 'ipv4' | 'ipv6' | 'dual';

export function assignAddresses6(ctx: ResolveContext, networks: Networks, placements: Placements, addresses: Addresses, rawServices: RawService[]): Addresses6 {
  const { raw, report } = ctx;
  const { director, backups, clients, servers, gatewayName, directorNetworkOk } = placements;
  const explicitFamily = rawServices.some((s) => s.family === 'ipv6' || s.family === 'dual' || (s.vip !== undefined && familyOf(s.vip) === 'ipv6'));
  const subnets6 = subnetsOf(ctx, networks, explicitFamily || raw.vip6 !== undefined);
  const directorSubnet6 = directorNetworkOk ? subnets6.get(director.network) : undefined;

  // Every node's IPv6 address on a dual-stack network: as written (address6), else the mirror of its IPv4 address.
  const nodes6 = new Map<string, string>();
  const gateway6 = new Map<string, string>();
  /** address -> who holds it, and where it was written (a clash is reported there). */
  const used = new Map<string, string>();
  const writtenAt = new Map<string, YamlPath>();
  const written = (network: string, text: string, path: YamlPath, who: string): string | undefined => {
    const net6 = subnets6.get(network);
    if (!net6) {
      report(path, `${who} has an IPv6 address, but its network "${network}" has no subnet6: give the network one`);
      return undefined;
    }
    const value = parseIPv6(text)!;
    if (!isHostOf6(net6, value)) {
      report(path, `address6 ${text} is not a host address of network "${network}" (${formatCidr6(net6)})`);
      return undefined;
    }
    return take(formatIPv6(value), who, path);
  };
  const take = (address: string, who: string, path: YamlPath): string | undefined => {
    const owner = used.get(address);
    if (owner) {
      report(writtenAt.get(address) ?? path, `IPv6 address ${address} is both ${owner}'s and ${who}'s`);
      return undefined;
    }
    used.set(address, who);
    writtenAt.set(address, path);
    return address;
  };
  const mirror = (network: string, address: number | undefined, path: YamlPath, who: string): string | undefined => {
    const net6 = subnets6.get(network);
    const net4 = networks.subnets.get(network);
    if (!net6 || !net4 || address === undefined) return undefined;
    const host = address - net4.address;
    const value = mirrorHost6(net6, host);
    if (value === undefined) {
      report(
        path,
        `${who}'s IPv6 address mirrors its IPv4 host ${host} (::${host}), which is not a host of ${network}'s subnet6 ${formatCidr6(net6)}: use a /64`,
      );
      return undefined;
    }
    const address6 = formatIPv6(value);
    // A written address elsewhere may be this mirror: reported where it was written.
    return used.has(address6) ? take(address6, who, path) : (used.set(address6, who), address6);
  };
  const everyone = [director, ...backups, ...clients, ...servers] as Placement[];
  const gatewayWritten = raw.gateway?.addresses6 ?? {};
  // The written ones first, so that a mirror that lands on one is the one reported.
  for (const [network, text] of Object.entries(gatewayWritten)) {
    if (!networks.subnets.has(network)) continue;
    const a = written(network, text, ['gateway', 'addresses6', network], `${gatewayName} (on ${network})`);
    if (a) gateway6.set(network, a);
  }
  for (const p of everyone) {
    if (p.explicitAddress6 === undefined || !networks.subnets.has(p.network)) continue;
    const a = written(p.network, p.explicitAddress6, [...p.path, 'address6'], p.name);
    if (a) nodes6.set(p.name, a);
  }
  for (const [network, address] of addresses.gatewayAddresses) {
    if (gatewayWritten[network] !== undefined) continue;
    const a = mirror(network, address, ['networks', network, 'subnet6'], `${gatewayName} (on ${network})`);
    if (a) gateway6.set(network, a);
  }
  for (const p of everyone) {
    if (p.explicitAddress6 !== undefined) continue;
    const a = mirror(p.network, p.address, [...p.path], p.name);
    if (a) nodes6.set(p.name, a);
  }

  const labVip6 = labVip6Of();
  const families: Family[][] = [];
  const vips6: Array<string | undefined> = [];
  const keys = new Set<string>();
  for (const [i, s] of rawServices.entries()) {
    const wanted = wantedFamily(s, i);
    const family: Family[] = wanted === 'dual' ? ['ipv4', 'ipv6'] : [wanted];
    families.push(family);
    if (!family.includes('ipv6')) {
      vips6.push(undefined);
      continue;
    }
    const path: YamlPath = s.family ? ['services', i, 'family'] : s.vip ? ['services', i, 'vip'] : ['services', i];
    if (!directorSubnet6) {
      report(path, `an IPv6 service needs IPv6 on the director's network "${director.network}": give it a subnet6`);
      vips6.push(undefined);
      continue;
    }
    const vip6 = s.vip !== undefined && familyOf(s.vip) === 'ipv6' ? vip6At(s.vip, ['services', i, 'vip']) : labVip6;
    vips6.push(vip6);
    const key = `${s.protocol ?? 'tcp'} [${vip6}]:${s.port}`;
    if (vip6 && keys.has(key)) report(['services', i], `service ${key} is defined twice`);
    keys.add(key);
    for (const name of s.realServers ?? servers.map((x) => x.name)) {
      const server = servers.find((x) => x.name === name);
      if (server && !subnets6.has(server.network))
        report(
          path,
          `real server ${name} sits on network "${server.network}", which has no subnet6: it cannot serve the IPv6 VIP ${vip6 ?? ''}; ` +
            `give "${server.network}" a subnet6, or make the service ipv4`,
        );
    }
  }
  if (families.some((f) => f.includes('ipv6'))) {
    for (const c of clients)
      if (!subnets6.has(c.network))
        report(c.path, `${c.name} sits on network "${c.network}", which has no subnet6: it cannot reach the lab's IPv6 services; give it a subnet6`);
    // What is not built yet is refused in words rather than half built.
    if (raw.keepalived) report(['keepalived'], 'keepalived labs are IPv4 only for now: make the services ipv4 (family: ipv4), or drop keepalived');
  }
  return { subnets6, nodes6, gateway6, families, vips6 };

  function wantedFamily(s: RawService, i: number): Wanted {
    const byVip = s.vip === undefined ? undefined : familyOf(s.vip);
    if (s.family && byVip && s.family !== 'dual' && s.family !== byVip)
      report(['services', i, 'family'], `family ${s.family} contradicts the service's vip ${s.vip}, an ${byVip} address`);
    if (s.family === 'dual' && byVip) report(['services', i, 'family'], `a dual service is served on both lab VIPs (vip and vip6): it cannot set its own vip`);
    return byVip ?? s.family ?? (directorSubnet6 ? 'dual' : 'ipv4');
  }

  /** The lab's IPv6 VIP: vip6, else ::100 of the director's subnet6. */
  function labVip6Of(): string | undefined {
    if (!directorSubnet6) {
      if (raw.vip6 !== undefined) report(['vip6'], `vip6 needs IPv6 on the director's network "${director.network}": give it a subnet6`);
      return undefined;
    }
    if (raw.vip6 !== undefined) return vip6At(raw.vip6, ['vip6']);
    const value = mirrorHost6(directorSubnet6, VIP_HOST);
    return value === undefined ? undefined : claim(formatIPv6(value), ['networks', director.network, 'subnet6'], 'the default vip6');
  }

  /** A written IPv6 VIP: a host of the director's subnet6, no node's address. */
  function vip6At(text: string, path: YamlPath): string | undefined {
    const canonical = formatIPv6(parseIPv6(text)!);
    if (used.get(canonical) === 'the VIP') return canonical;
    if (!directorSubnet6 || !isHostOf6(directorSubnet6, parseIPv6(text)!)) {
      const subnet = directorSubnet6 ? formatCidr6(directorSubnet6) : 'no subnet6';
      report(path, `IPv6 VIP ${text} must be a host address of the director's network "${director.network}" (${subnet}), so the gateway reaches it on-link`);
      return undefined;
    }
    return claim(canonical, path, 'VIP');
  }

  function claim(address: string, path: YamlPath, what: string): string | undefined {
    const owner = used.get(address);
    if (owner && owner !== 'the VIP') {
      report(path, `${what} ${address} is the IPv6 address of ${owner}; a VIP must be owned by the director alone`);
      return undefined;
    }
    used.set(address, 'the VIP');
    return address;
  }
}

function formatCidr6(net: Cidr6): string {
  return `${formatIPv6(net.address)}/${net.prefix}`;
}

/** Each network's subnet6: as written; the defaults' when the networks are defaulted and IPv6 is asked for. */
function subnetsOf({ raw, report }: ResolveContext, networks: Networks, wanted: boolean): Map<string, Cidr6> {
  const written = raw.networks
    ? Object.entries(raw.networks).flatMap(([name, n]) => (n.subnet6 ? [[name, n.subnet6] as const] : []))
    : wanted
      ? Object.entries(DEFAULT_SUBNETS6).filter(([name]) => networks.subnets.has(name))
      : [];
  const subnets6 = new Map<string, Cidr6>();
  for (const [name, text] of written) {
    const cidr = parseCidr6(text)!;
    for (const [other, otherCidr] of subnets6)
      if (overlaps6(cidr, otherCidr)) report(['networks', name, 'subnet6'], `subnet6 ${text} overlaps network "${other}" (${formatCidr6(otherCidr)})`);
    subnets6.set(name, cidr);
  }
  return subnets6;
}

/** The services per family, in the topology's order: a dual service becomes its IPv4 Service, then its IPv6 one. */
export function servicesByFamily(services: Service[], { families, vips6, nodes6 }: Addresses6): Service[] {
  return services.flatMap((s, i) => {
    const out = families[i].includes('ipv4') ? [s] : [];
    const vip6 = vips6[i];
    if (families[i].includes('ipv6') && vip6 !== undefined) {
      const members = s.members.flatMap((m) => (nodes6.has(m.realServer) ? [{ ...m, address: nodes6.get(m.realServer)! }] : []));
      out.push({ ...s, vip: vip6, members });
    }
    return out;
  });
}
