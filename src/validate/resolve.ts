/**
 * Stage 2, validate/resolve: shape-checked YAML data becomes a typed Lab with every default filled
 * in, or every problem found is reported at once. The mode rules (docs/modes.md) live here.
 */
import { type Interface, type Lab, type Mode, type Network, type Node, type Protocol, type RealServer, type Scheduler, type Service } from '../model/lab.js';
import { contains, formatIPv4, hostCount, isHostOf, nthAddress, overlaps, parseCidr, parseIPv4, type Cidr } from '../model/ipv4.js';
import { bridgeOf, interfaceName, MAX_INTERFACES_PER_NODE, namespaceOf, peerName, SWITCH_NODE, switchNamespaceOf } from '../model/naming.js';
import type { YamlPath } from '../load/load-topology.js';
import { didYouMean } from './did-you-mean.js';
import { lvsMode, portRules, realServerRules } from '../modes/index.js';
import { renderPath } from '../model/problems.js';
import type { ShapeProblem } from './check-shape.js';

interface RawNetwork {
  subnet: string;
}
interface RawClient {
  name?: string;
  network?: string;
  address?: string;
}
interface RawRealServer extends RawClient {
  weight?: number;
  gateway?: string;
}
interface RawService {
  protocol?: Protocol;
  port: number;
  vip?: string;
  realPort?: number;
  scheduler?: Scheduler;
  persistence?: number;
  realServers?: string[];
  weights?: Record<string, number>;
}
export interface RawTopology {
  name: string;
  mode: Mode;
  vip?: string;
  networks?: Record<string, RawNetwork>;
  clients?: number | RawClient[];
  gateway?: { name?: string; addresses?: Record<string, string> };
  director?: { name?: string; network?: string; address?: string };
  realServers?: number | RawRealServer[];
  services?: RawService[];
}

export const DEFAULT_NETWORKS: Record<string, RawNetwork> = {
  outside: { subnet: '198.51.100.0/24' },
  lan: { subnet: '10.10.0.0/24' },
};
const GATEWAY_HOST = 1;
const DIRECTOR_HOST = 2;
const VIP_HOST = 100;
const FIRST_AUTO_HOST = 10;

/** A node before its interfaces are built: where it sits and what address it asked for. */
interface Placement {
  name: string;
  path: YamlPath;
  network: string;
  explicitAddress?: string;
  address?: number;
}

export function resolveTopology(raw: RawTopology, source: string): { lab?: Lab; problems: ShapeProblem[] } {
  const problems: ShapeProblem[] = [];
  const report = (path: YamlPath, message: string) => problems.push({ path, message });

  // Networks
  const rawNetworks = raw.networks ?? DEFAULT_NETWORKS;
  const networkNames = Object.keys(rawNetworks);
  const subnets = new Map<string, Cidr>();
  for (const [name, net] of Object.entries(rawNetworks)) {
    const cidr = parseCidr(net.subnet)!;
    for (const [other, otherCidr] of subnets) {
      if (overlaps(cidr, otherCidr)) report(['networks', name, 'subnet'], `subnet ${net.subnet} overlaps network "${other}" (${rawNetworks[other].subnet})`);
    }
    subnets.set(name, cidr);
  }
  if (networkNames.length < 2)
    report(['networks'], 'at least two networks are needed: one for the clients, one for the director (the gateway routes between them)');
  if (networkNames.length > MAX_INTERFACES_PER_NODE)
    report(['networks'], `at most ${MAX_INTERFACES_PER_NODE} networks (the gateway has one interface on each)`);

  const checkNetwork = (path: YamlPath, name: string): boolean => {
    if (subnets.has(name)) return true;
    const defaulted = path[path.length - 1] !== 'network' && path[path.length - 2] !== 'addresses';
    // A default network that is missing is a fact of `networks` when the node's key is not written at all.
    const where = defaulted && !(path[0] in raw) ? ['networks'] : path;
    const whose = defaulted
      ? `${{ clients: "the clients'", director: "the director's", realServers: "the real servers'" }[String(path[0])] ?? 'the'} default network`
      : 'network';
    report(where, `${whose} "${name}" is not defined; networks: ${listed(networkNames)}${didYouMean(name, networkNames)}`);
    return false;
  };

  // Placements: who sits on which network, with which explicit address
  const director: Placement = {
    name: raw.director?.name ?? 'director',
    path: ['director'],
    network: raw.director?.network ?? 'lan',
    explicitAddress: raw.director?.address,
  };
  const directorNetworkOk = checkNetwork(raw.director?.network ? ['director', 'network'] : ['director'], director.network);

  const clients: Placement[] = (typeof raw.clients === 'object' ? raw.clients : Array.from({ length: raw.clients ?? 1 }, () => ({}) as RawClient)).map(
    (c, i) => ({
      name: c.name ?? (i === 0 ? 'client' : `client${i + 1}`),
      path: typeof raw.clients === 'object' ? ['clients', i] : ['clients'],
      network: c.network ?? 'outside',
      explicitAddress: c.address,
    }),
  );
  const rawServers: RawRealServer[] = typeof raw.realServers === 'object' ? raw.realServers : Array.from({ length: raw.realServers ?? 2 }, () => ({}));
  const servers: Array<Placement & { weight: number; gateway?: string }> = rawServers.map((r, i) => ({
    name: r.name ?? `rs${i + 1}`,
    path: typeof raw.realServers === 'object' ? ['realServers', i] : ['realServers'],
    network: r.network ?? director.network,
    explicitAddress: r.address,
    weight: r.weight ?? 1,
    gateway: r.gateway,
  }));
  const gatewayName = raw.gateway?.name ?? 'gateway';
  for (const key of Object.keys(raw.gateway?.addresses ?? {})) checkNetwork(['gateway', 'addresses', key], key);

  // Names: unique, not reserved; a clash is reported where a name was written, not at a default.
  const seen = new Map<string, { path: YamlPath; explicit: boolean; label: string }>();
  const namedAt = (path: YamlPath, explicit: boolean, what: string) => ({
    path: explicit ? path : path.slice(0, -1),
    explicit,
    label: explicit ? renderPath(path) : `the default name of ${what}`,
  });
  const named: Array<{ name: string; path: YamlPath; explicit: boolean; label: string }> = [
    ...clients.map((c, i) => ({
      name: c.name,
      ...namedAt([...c.path, 'name'], typeof raw.clients === 'object' && raw.clients[i].name !== undefined, `client ${i + 1}`),
    })),
    { name: gatewayName, ...namedAt(['gateway', 'name'], raw.gateway?.name !== undefined, 'the gateway') },
    { name: director.name, ...namedAt(['director', 'name'], raw.director?.name !== undefined, 'the director') },
    ...servers.map((s, i) => ({
      name: s.name,
      ...namedAt([...s.path, 'name'], typeof raw.realServers === 'object' && raw.realServers[i].name !== undefined, `real server ${i + 1}`),
    })),
  ];
  for (const entry of named) {
    const first = seen.get(entry.name);
    if (entry.name === SWITCH_NODE) report(entry.path, `node name "${SWITCH_NODE}" is reserved for the lab's switch namespace`);
    else if (first && !entry.explicit && first.explicit) report(first.path, `node name "${entry.name}" is already used (${entry.label})`);
    else if (first) report(entry.path, `node name "${entry.name}" is already used (${first.label})`);
    else seen.set(entry.name, entry);
  }

  for (const c of clients) checkNetwork(c.path.length > 1 ? [...c.path, 'network'] : c.path, c.network);
  for (const [i, s] of servers.entries()) {
    const written = typeof raw.realServers === 'object' && raw.realServers[i].network !== undefined;
    // A real server's network defaults to the director's: one problem there, not one per real server.
    if (written || directorNetworkOk) checkNetwork(written ? [...s.path, 'network'] : s.path, s.network);
  }

  // Addresses: explicit ones first, then defaults, then auto-assigned hosts; all unique
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
  const everyone = [director, ...clients, ...servers];
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

  const labVip = raw.vip ?? (directorNetworkOk ? formatIPv4(nthAddress(subnets.get(director.network)!, VIP_HOST)) : undefined);

  function claimDefault(cidr: Cidr, host: number, owner = gatewayName): number | undefined {
    const address = nthAddress(cidr, host);
    if (owners.has(address) || host > hostCount(cidr)) return undefined;
    owners.set(address, owner);
    return address;
  }
  // VIPs are claimed before auto-assignment so that no real server is handed one.
  const rawServices: RawService[] = raw.services ?? [
    { protocol: 'tcp', port: 80 },
    { protocol: 'udp', port: 80 },
  ];
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

  // Where clients may sit: behind the gateway, never beside the director or a real server.
  const serverNetworks = new Set([director.network, ...servers.map((s) => s.network)]);
  for (const c of clients) {
    if (serverNetworks.has(c.network)) {
      report(
        c.path.length > 1 ? [...c.path, 'network'] : c.path,
        `client ${c.name} must not share network "${c.network}" with the director or a real server: requests must cross the gateway, or the lab never ` +
          `exercises the LVS path`,
      );
    }
  }

  // Mode rules (src/modes): where real servers may sit and what their gateway must be
  const mode = lvsMode(raw.mode);
  const directorAddress = director.address !== undefined ? formatIPv4(director.address) : undefined;
  for (const [i, s] of servers.entries()) {
    if (!subnets.has(s.network)) continue; // already reported: an unknown network
    const router = gatewayAddresses.get(s.network);
    const placement = {
      server: { name: s.name, network: s.network, gateway: s.gateway },
      networkPath: s.path.length > 1 ? [...s.path, 'network'] : s.path,
      gatewayPath: ['realServers', i, 'gateway'],
      directorNetwork: director.network,
      directorAddress,
      routerAddress: router !== undefined ? formatIPv4(router) : undefined,
    };
    for (const problem of realServerRules(raw.mode, mode.facts, placement)) report(problem.path, problem.message);
  }

  // Services
  const serverNames = servers.map((s) => s.name);
  const serviceKeys = new Set<string>();
  const services: Service[] = [];
  for (const [i, s] of rawServices.entries()) {
    const protocol = s.protocol ?? 'tcp';
    const vip = serviceVips[i].vip;
    const key = `${protocol} ${vip}:${s.port}`;
    if (serviceKeys.has(key)) report(['services', i], `service ${key} is defined twice`);
    serviceKeys.add(key);
    const realPort = s.realPort ?? s.port;
    for (const problem of portRules(raw.mode, mode.facts, s.port, realPort, ['services', i, 'realPort'])) report(problem.path, problem.message);
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

  if (problems.length > 0) return { problems };

  // Build the typed lab
  const networks: Network[] = networkNames.map((name) => ({
    name,
    address: formatIPv4(subnets.get(name)!.address),
    prefix: subnets.get(name)!.prefix,
    bridge: bridgeOf(name),
  }));
  const attach = (nodeName: string, attachments: Array<{ network: string; address: number }>): Interface[] =>
    attachments.map(({ network, address }, index) => ({
      name: interfaceName(index),
      network,
      address: formatIPv4(address),
      prefix: subnets.get(network)!.prefix,
      peer: peerName(nodeName, index),
    }));
  const makeNode = (p: Placement, role: Node['role'], defaultGateway?: string): Node => ({
    name: p.name,
    role,
    namespace: namespaceOf(raw.name, p.name),
    interfaces: attach(p.name, [{ network: p.network, address: p.address! }]),
    defaultGateway,
  });
  const routerOn = (network: string) => formatIPv4(gatewayAddresses.get(network)!);
  const lab: Lab = {
    name: raw.name,
    mode: raw.mode,
    source,
    switchNamespace: switchNamespaceOf(raw.name),
    networks,
    clients: clients.map((c) => makeNode(c, 'client', routerOn(c.network))),
    gateway: {
      name: gatewayName,
      role: 'gateway',
      namespace: namespaceOf(raw.name, gatewayName),
      interfaces: attach(
        gatewayName,
        networkNames.map((network) => ({ network, address: gatewayAddresses.get(network)! })),
      ),
    },
    director: makeNode(director, 'director', routerOn(director.network)),
    realServers: servers.map((s): RealServer => ({
      ...makeNode(s, 'realServer', mode.facts.realServerGateway === 'director' ? directorAddress : routerOn(s.network)),
      role: 'realServer',
      weight: s.weight,
    })),
    services,
  };
  return { lab, problems: [] };
}

/** A list for a message: the first dozen names, then how many more. */
function listed(names: string[]): string {
  return names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')} and ${names.length - 12} more`;
}

/** True when the address lies in one of the lab's networks (used by status and verify). */
export function networkOf(lab: Lab, address: string): Network | undefined {
  const value = parseIPv4(address);
  if (value === undefined) return undefined;
  return lab.networks.find((n) => contains({ address: parseIPv4(n.address)!, prefix: n.prefix }, value));
}
