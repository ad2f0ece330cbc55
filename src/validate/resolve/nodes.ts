/** Resolver 2: who sits where: the director, the clients, the gateway and the real servers, with the networks they named. */
import type { Networks } from './networks.js';
import type { DirectorPlacement, Placement, RawClient, RawDirector, RawRealServer, RawTopology, ResolveContext, ServerPlacement } from './raw.js';

export interface Placements {
  /** The director, or the first (the VRRP master) of a pair. */
  director: DirectorPlacement;
  /** The other directors of a pair (keepalived's VRRP backups); none for one director. */
  backups: DirectorPlacement[];
  directorNetworkOk: boolean;
  clients: Placement[];
  servers: ServerPlacement[];
  gatewayName: string;
}

export function placeNodes({ raw }: ResolveContext, networks: Networks): Placements {
  const checkNetwork = networks.check;
  // Placements: who sits on which network, with which explicit address
  const [director, ...backups] = directorPlacements(raw);
  const directorNetworkOk = checkNetwork(director.explicitNetwork ? [...director.path, 'network'] : director.path, director.network);
  for (const b of backups) if (b.explicitNetwork) checkNetwork([...b.path, 'network'], b.network);

  const clients: Placement[] = (typeof raw.clients === 'object' ? raw.clients : Array.from({ length: raw.clients ?? 1 }, () => ({}) as RawClient)).map(
    (c, i) => ({
      name: c.name ?? (i === 0 ? 'client' : `client${i + 1}`),
      path: typeof raw.clients === 'object' ? ['clients', i] : ['clients'],
      network: c.network ?? 'outside',
      explicitAddress: c.address,
      explicitAddress6: c.address6,
    }),
  );
  const rawServers: RawRealServer[] = typeof raw.realServers === 'object' ? raw.realServers : Array.from({ length: raw.realServers ?? 2 }, () => ({}));
  const servers: ServerPlacement[] = rawServers.map((r, i) => ({
    name: r.name ?? `rs${i + 1}`,
    path: typeof raw.realServers === 'object' ? ['realServers', i] : ['realServers'],
    network: r.network ?? director.network,
    explicitAddress: r.address,
    explicitAddress6: r.address6,
    weight: r.weight ?? 1,
    gateway: r.gateway,
  }));
  const gatewayName = raw.gateway?.name ?? 'gateway';
  for (const key of Object.keys(raw.gateway?.addresses ?? {})) checkNetwork(['gateway', 'addresses', key], key);

  return { director, backups, directorNetworkOk, clients, servers, gatewayName };
}

/** `director`, or the pair of `directors` (a count or a list): director1 and director2 by default, all on the first one's network. */
function directorPlacements(raw: RawTopology): Array<DirectorPlacement & { explicitNetwork: boolean }> {
  if (raw.directors === undefined) {
    const d = raw.director;
    return [
      {
        name: d?.name ?? 'director',
        path: ['director'],
        network: d?.network ?? 'lan',
        explicitAddress: d?.address,
        explicitAddress6: d?.address6,
        explicitNetwork: d?.network !== undefined,
      },
    ];
  }
  const list: RawDirector[] = typeof raw.directors === 'object' ? raw.directors : Array.from({ length: raw.directors }, () => ({}));
  const network = list[0]?.network ?? 'lan';
  return list.map((d, i) => ({
    name: d.name ?? `director${i + 1}`,
    path: typeof raw.directors === 'object' ? ['directors', i] : ['directors'],
    network: d.network ?? network,
    explicitAddress: d.address,
    explicitAddress6: d.address6,
    priority: d.priority,
    explicitNetwork: d.network !== undefined,
  }));
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
