/** Resolver 5: where nodes may sit: clients behind the gateway, real servers as the mode allows. */
import { formatIPv4 } from '../../model/ipv4.js';
import { lvsMode, realServerRules } from '../../modes/index.js';
import type { Addresses } from './addresses.js';
import type { Networks } from './networks.js';
import type { Placements } from './nodes.js';
import type { ResolveContext } from './raw.js';

export function checkPlacements(
  { raw, report }: ResolveContext,
  { subnets }: Networks,
  { director, clients, servers }: Placements,
  { gatewayAddresses }: Addresses,
): void {
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
}
