/** The last step: with no problem left, the typed Lab with every default filled in. */
import { directorsOf, type Interface, type Lab, type Network, type Node, type RealServer, type Service, type Vrrp } from '../../model/lab.js';
import { formatIPv4 } from '../../model/ipv4.js';
import { bridgeOf, interfaceName, labRunDir, namespaceOf, peerName, switchNamespaceOf } from '../../model/naming.js';
import { lvsMode } from '../../modes/index.js';
import type { Addresses } from './addresses.js';
import type { Addresses6 } from './addresses6.js';
import { formatIPv6 } from '../../model/ipv6.js';
import type { Networks } from './networks.js';
import type { Placements } from './nodes.js';
import type { Placement, RawTopology } from './raw.js';

export function buildLab(
  raw: RawTopology,
  source: string,
  { names: networkNames, subnets }: Networks,
  placements: Placements,
  { gatewayAddresses, pairFloat }: Addresses,
  services: Service[],
  vrrp: Vrrp | undefined,
  { subnets6, nodes6, gateway6 }: Addresses6,
): Lab {
  const { director, clients, servers, gatewayName } = placements;
  const mode = lvsMode(raw.mode);
  const directorAddress = formatIPv4(director.address!);
  // The address that moves with the VIP (a NAT pair's real servers route through it; one director's, through it).
  const floating = pairFloat === undefined ? undefined : formatIPv4(pairFloat);
  const networks: Network[] = networkNames.map((name) => ({
    name,
    address: formatIPv4(subnets.get(name)!.address),
    prefix: subnets.get(name)!.prefix,
    ...(subnets6.has(name) ? { address6: formatIPv6(subnets6.get(name)!.address), prefix6: subnets6.get(name)!.prefix } : {}),
    bridge: bridgeOf(name),
  }));
  const attach = (nodeName: string, attachments: Array<{ network: string; address: number; address6?: string }>): Interface[] =>
    attachments.map(({ network, address, address6 }, index) => ({
      name: interfaceName(index),
      network,
      address: formatIPv4(address),
      prefix: subnets.get(network)!.prefix,
      ...(address6 ? { address6, prefix6: subnets6.get(network)!.prefix } : {}),
      peer: peerName(nodeName, index),
    }));
  const makeNode = (p: Placement, role: Node['role'], defaultGateway?: string, defaultGateway6?: string): Node => ({
    name: p.name,
    role,
    namespace: namespaceOf(raw.name, p.name),
    interfaces: attach(p.name, [{ network: p.network, address: p.address!, address6: nodes6.get(p.name) }]),
    defaultGateway,
    ...(defaultGateway6 && nodes6.has(p.name) ? { defaultGateway6 } : {}),
  });
  const routerOn = (network: string) => formatIPv4(gatewayAddresses.get(network)!);
  const routerOn6 = (network: string) => gateway6.get(network);
  const directorAddress6 = nodes6.get(director.name);
  const lab: Lab = {
    name: raw.name,
    mode: raw.mode,
    source,
    switchNamespace: switchNamespaceOf(raw.name),
    networks,
    clients: clients.map((c) => makeNode(c, 'client', routerOn(c.network), routerOn6(c.network))),
    gateway: {
      name: gatewayName,
      role: 'gateway',
      namespace: namespaceOf(raw.name, gatewayName),
      interfaces: attach(
        gatewayName,
        networkNames.map((network) => ({ network, address: gatewayAddresses.get(network)!, address6: gateway6.get(network) })),
      ),
    },
    director: makeNode(director, 'director', routerOn(director.network), routerOn6(director.network)),
    realServers: servers.map((s): RealServer => ({
      ...makeNode(
        s,
        'realServer',
        mode.facts.realServerGateway === 'director' ? (floating ?? directorAddress) : routerOn(s.network),
        mode.facts.realServerGateway === 'director' ? directorAddress6 : routerOn6(s.network),
      ),
      role: 'realServer',
      weight: s.weight,
    })),
    services,
  };
  if (placements.backups.length > 0) lab.backups = placements.backups.map((b) => makeNode(b, 'director', routerOn(b.network), routerOn6(b.network)));
  if (raw.keepalived) {
    const files = (name: string) => {
      const dir = `${labRunDir(raw.name)}/${name}`;
      return {
        config: `${dir}/keepalived.conf`,
        pid: `${dir}/keepalived.pid`,
        vrrpPid: `${dir}/vrrp.pid`,
        checkersPid: `${dir}/checkers.pid`,
        log: `${dir}/keepalived.log`,
      };
    };
    lab.keepalived = { files: Object.fromEntries(directorsOf(lab).map((d) => [d.name, files(d.name)])) };
    if (vrrp) lab.keepalived.vrrp = floating ? { ...vrrp, floating } : vrrp;
  }
  return lab;
}
