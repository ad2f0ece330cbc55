/** Resolver 2: who sits where: the director, the clients, the gateway and the real servers, with the networks they named. */
import type { Networks } from './networks.js';
import type { Placement, RawClient, RawRealServer, ResolveContext, ServerPlacement } from './raw.js';

export interface Placements {
  director: Placement;
  directorNetworkOk: boolean;
  clients: Placement[];
  servers: ServerPlacement[];
  gatewayName: string;
}

export function placeNodes({ raw }: ResolveContext, networks: Networks): Placements {
  const checkNetwork = networks.check;
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
  const servers: ServerPlacement[] = rawServers.map((r, i) => ({
    name: r.name ?? `rs${i + 1}`,
    path: typeof raw.realServers === 'object' ? ['realServers', i] : ['realServers'],
    network: r.network ?? director.network,
    explicitAddress: r.address,
    weight: r.weight ?? 1,
    gateway: r.gateway,
  }));
  const gatewayName = raw.gateway?.name ?? 'gateway';
  for (const key of Object.keys(raw.gateway?.addresses ?? {})) checkNetwork(['gateway', 'addresses', key], key);

  return { director, directorNetworkOk, clients, servers, gatewayName };
}

/** The networks clients and real servers named exist (after the names: messages keep the file's order of concerns). */
export function checkNodeNetworks({ raw }: ResolveContext, networks: Networks, { clients, servers, directorNetworkOk }: Placements): void {
  const checkNetwork = networks.check;
  for (const c of clients) checkNetwork(c.path.length > 1 ? [...c.path, 'network'] : c.path, c.network);
  for (const [i, s] of servers.entries()) {
    const written = typeof raw.realServers === 'object' && raw.realServers[i].network !== undefined;
    // A real server's network defaults to the director's: one problem there, not one per real server.
    if (written || directorNetworkOk) checkNetwork(written ? [...s.path, 'network'] : s.path, s.network);
  }
}
