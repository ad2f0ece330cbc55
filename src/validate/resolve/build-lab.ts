/** The last step: with no problem left, the typed Lab with every default filled in. */
import { directorsOf, type Interface, type Lab, type Network, type Node, type RealServer, type Service, type Vrrp } from '../../model/lab.js';
import { formatIPv4 } from '../../model/ipv4.js';
import { bridgeOf, interfaceName, labRunDir, namespaceOf, peerName, switchNamespaceOf } from '../../model/naming.js';
import { lvsMode } from '../../modes/index.js';
import type { Addresses } from './addresses.js';
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
  vrrp?: Vrrp,
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
      ...makeNode(s, 'realServer', mode.facts.realServerGateway === 'director' ? (floating ?? directorAddress) : routerOn(s.network)),
      role: 'realServer',
      weight: s.weight,
    })),
    services,
  };
  if (placements.backups.length > 0) lab.backups = placements.backups.map((b) => makeNode(b, 'director', routerOn(b.network)));
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
