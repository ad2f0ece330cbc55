/**
 * Resolver 4: addresses. Explicit ones first, then the defaults (gateway .1, director .2, the VIP .100),
 * then every other node from host .10 up; all unique, all host addresses of their network.
 */
import { formatIPv4, hostCount, isHostOf, nthAddress, parseIPv4, type Cidr } from '../../model/ipv4.js';
import type { YamlPath } from '../../model/problems.js';
import { lvsMode } from '../../modes/index.js';
import { pairFloat } from '../../modes/lvs-mode.js';
import type { Networks } from './networks.js';
import type { Placements } from './nodes.js';
import { DIRECTOR_HOST, FIRST_AUTO_HOST, GATEWAY_HOST, VIP_HOST, type Placement, type RawService, type ResolveContext } from './raw.js';

export interface Addresses {
  /** network -> the gateway's address there */
  gatewayAddresses: Map<string, number>;
  /** Each service's VIP, in the order of the services. */
  serviceVips: Array<{ vip: string | undefined; path: YamlPath }>;
  /** A director pair's floating address, where the mode needs one (pairFloat: NAT's gateway, FULLNAT's source). */
  pairFloat?: number;
}

export function assignAddresses({ raw, report }: ResolveContext, networks: Networks, placements: Placements, rawServices: RawService[]): Addresses {
  const { subnets, names: networkNames } = networks;
  const { director, backups, clients, servers, gatewayName, directorNetworkOk } = placements;
  const owners = new Map<number, string>();
  /** Where each explicitly written address stands, so that a clash with a default is reported there. */
  const writtenAt = new Map<number, YamlPath>();
  const claim = (path: YamlPath, network: string, text: string, owner: string): number | undefined => {
    const address = parseIPv4(text)!;
    const cidr = subnets.get(network);
    if (cidr && !isHostOf(cidr, address)) {
      report(path, `address ${text} is not a host address of network "${network}" (${formatIPv4(cidr.address)}/${cidr.prefix})`);
      return undefined;
    }
    const previous = owners.get(address);
    if (previous) {
      report(path, `address ${text} is already used by ${previous}`);
      return undefined;
    }
    owners.set(address, owner);
    writtenAt.set(address, path);
    return address;
  };
  const gatewayAddresses = new Map<string, number>();
  const explicitGateway = raw.gateway?.addresses ?? {};
  for (const [net, text] of Object.entries(explicitGateway)) {
    if (subnets.has(net)) {
      const a = claim(['gateway', 'addresses', net], net, text, `${gatewayName}`);
      if (a !== undefined) gatewayAddresses.set(net, a);
    }
  }
  const everyone = [director, ...backups, ...clients, ...servers];
  for (const p of everyone) {
    if (p.explicitAddress && subnets.has(p.network)) p.address = claim([...p.path, 'address'], p.network, p.explicitAddress, p.name);
  }
  for (const net of networkNames) {
    if (!gatewayAddresses.has(net)) {
      const cidr = subnets.get(net)!;
      const a = claimDefault(cidr, GATEWAY_HOST);
      if (a !== undefined) gatewayAddresses.set(net, a);
      else {
        const taken = nthAddress(cidr, GATEWAY_HOST);
        report(
          writtenAt.get(taken) ?? ['networks', net],
          `address ${formatIPv4(taken)} is the gateway's default address on network "${net}" (host .${GATEWAY_HOST}); choose another, or give the gateway ` +
            `another with gateway.addresses.${net}`,
        );
      }
    }
  }
  if (directorNetworkOk && director.address === undefined && !director.explicitAddress)
    director.address = claimDefault(subnets.get(director.network)!, DIRECTOR_HOST, director.name);
  // A pair's other directors take the hosts after the first (.3), when free; else they are handed one from .10 up.
  backups.forEach((b, i) => {
    if (b.address === undefined && !b.explicitAddress && subnets.has(b.network))
      b.address = claimDefault(subnets.get(b.network)!, DIRECTOR_HOST + 1 + i, b.name);
  });

  const labVip = raw.vip ?? (directorNetworkOk ? formatIPv4(nthAddress(subnets.get(director.network)!, VIP_HOST)) : undefined);

  function claimDefault(cidr: Cidr, host: number, owner = gatewayName): number | undefined {
    const address = nthAddress(cidr, host);
    if (owners.has(address) || host > hostCount(cidr)) return undefined;
    owners.set(address, owner);
    return address;
  }
  // VIPs are claimed before auto-assignment so that no real server is handed one.
  const vipOwners = new Map<string, YamlPath>();
  const serviceVips = rawServices.map((s, i) => ({ vip: s.vip ?? labVip, path: s.vip ? ['services', i, 'vip'] : raw.vip ? ['vip'] : ['services', i] }));
  for (const { vip, path } of [{ vip: labVip, path: raw.vip ? ['vip'] : ([] as YamlPath) }, ...serviceVips]) {
    if (!vip || vipOwners.has(vip)) continue;
    vipOwners.set(vip, path);
    const address = parseIPv4(vip)!;
    const owner = owners.get(address);
    if (owner) {
      const isServer = servers.some((s) => s.name === owner);
      const written = writtenAt.get(address);
      // Reported where the clashing address was written; at the VIP when the other side is a default.
      if (written)
        report(
          written,
          `address ${vip} is ${path.length === 0 ? `the lab's default VIP (host .${VIP_HOST} of "${director.network}"; set vip to change it)` : 'a VIP'}; a ` +
            `VIP must be owned by the director alone`,
        );
      else report(path, `VIP ${vip} is the address of ${isServer ? 'real server ' : ''}${owner}; a VIP must be owned by the director alone`);
    } else if (directorNetworkOk && !isHostOf(subnets.get(director.network)!, address)) {
      const cidr = subnets.get(director.network)!;
      report(
        path,
        `VIP ${vip} must be a host address of the director's network "${director.network}" (${formatIPv4(cidr.address)}/${cidr.prefix}), so the gateway ` +
          `reaches it on-link`,
      );
    } else {
      owners.set(address, 'the VIP');
    }
  }
  const floating = claimPairFloat();
  const unplaced = new Map<string, Placement[]>();
  for (const p of everyone) {
    if (p.address !== undefined || p.explicitAddress || !subnets.has(p.network)) continue;
    const cidr = subnets.get(p.network)!;
    for (let host = FIRST_AUTO_HOST; host <= hostCount(cidr); host++) {
      const candidate = nthAddress(cidr, host);
      if (!owners.has(candidate)) {
        owners.set(candidate, p.name);
        p.address = candidate;
        break;
      }
    }
    if (p.address === undefined) unplaced.set(p.network, [...(unplaced.get(p.network) ?? []), p]);
  }
  for (const [network, left] of unplaced) {
    const cidr = subnets.get(network)!;
    const who = left.length === 1 ? left[0].name : `${left[0].name} and ${left.length - 1} more`;
    report(
      left[0].path,
      `network "${network}" (${formatIPv4(cidr.address)}/${cidr.prefix}) has no free address left for ${who}: addresses are handed out from host ` +
        `.${FIRST_AUTO_HOST} up; use a larger subnet or fewer nodes`,
    );
  }

  return { gatewayAddresses, serviceVips, pairFloat: floating };

  /** The last host of the directors' network, held by the master with the VIP, when the mode's pair needs it (pairFloat). */
  function claimPairFloat(): number | undefined {
    const role = pairFloat(lvsMode(raw.mode).facts);
    if (raw.directors === undefined || !directorNetworkOk || role === undefined) return undefined;
    const cidr = subnets.get(director.network)!;
    const address = nthAddress(cidr, hostCount(cidr));
    const what = role === 'gateway' ? 'floating gateway for the real servers' : "floating source address (the director's source NAT)";
    const owner = owners.get(address);
    if (owner === undefined) {
      owners.set(address, `the director pair's ${what}`);
      return address;
    }
    report(
      writtenAt.get(address) ?? ['directors'],
      `address ${formatIPv4(address)} is the director pair's ${what} (the last host of "${director.network}", ` +
        `held by the VRRP master with the VIP); ${owner} cannot have it: choose another address`,
    );
    return undefined;
  }
}
