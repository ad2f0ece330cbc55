/**
 * FULLNAT, two-way NAT. Not in mainline IPVS; built as IPVS NAT plus source NAT of IPVS traffic to the
 * director's address (iptables -m ipvs ... -j SNAT, with net.ipv4.vs.conntrack=1 so netfilter sees it).
 * A director pair gives requests its floating address instead, so that replies reach whichever director is master.
 */
import { familyOf, sourceNatAddress } from '../model/lab.js';
import type { LvsMode } from './lvs-mode.js';

export const fullnat: LvsMode = {
  name: 'fullnat',
  facts: {
    forwardingFlag: '-m',
    modules: ['xt_ipvs', 'iptable_nat'],
    modules6: ['ip6table_nat'],
    connectionSync: {
      why:
        "the source NAT's state is netfilter's conntrack, which the IPVS sync daemon does not copy: the real server's next " +
        "packet reaches the backup before any of the client's and matches nothing there (measured: a download under way " +
        'stalled at every failover); conntrackd would copy it, and lvslab does not run it yet',
    },
    repliesBypassDirector: false,
    portMapping: true,
    realServerSees: 'director',
    realServerGateway: 'router',
    directorForwards: true,
    vsConntrack: true,
    walk: { request: ['prerouting', 'input', 'output', 'postrouting'], reply: ['prerouting', 'forward', 'postrouting'] },
  },
  // The source NAT brings replies back to the director by ordinary routing, through the gateway when the real server is elsewhere.
  replyPath: (p) => [
    ...(p.rsNet === p.lan
      ? [{ from: p.realServer, to: p.director, network: p.lan }]
      : [
          { from: p.realServer, to: p.gateway, network: p.rsNet },
          { from: p.gateway, to: p.director, network: p.lan },
        ]),
    { from: p.director, to: p.gateway, network: p.lan },
    { from: p.gateway, to: p.client, network: p.clientNet },
  ],
  directorSteps: (lab, director) => {
    const what = lab.keepalived?.vrrp?.floating ? "the pair's floating address" : 'the DIP';
    // One table per family: iptables for the IPv4 services, ip6tables for the IPv6 ones (to the director's IPv6 address).
    const tables = [
      { family: 'ipv4', tool: 'iptables-restore', source: sourceNatAddress(lab), bits: 32 },
      { family: 'ipv6', tool: 'ip6tables-restore', source: director.interfaces[0].address6 ?? '', bits: 128 },
    ] as const;
    return tables.flatMap(({ family, tool, source, bits }) => {
      const services = lab.services.filter((s) => familyOf(s.vip) === family);
      if (services.length === 0) return [];
      const input = [
        '*nat',
        ...services.map(
          (s) => `-A POSTROUTING -m ipvs --vproto ${s.protocol === 'tcp' ? 6 : 17} --vaddr ${s.vip}/${bits} --vport ${s.port} -j SNAT --to-source ${source}`,
        ),
        'COMMIT',
      ];
      const title = `fullnat: source NAT of IPVS traffic to ${family === 'ipv6' ? "the director's IPv6 address" : what}`;
      return [{ phase: 'ipvs', node: director.name, title, argv: ['ip', 'netns', 'exec', director.namespace, tool, '--noflush'], input }];
    });
  },
  deliveryChecks: () => [],
  /** No real server's default gateway is the director: replies return by the source NAT alone. */
  routingChecks: (lab, obs) => {
    const dip = lab.director.interfaces[0].address;
    return lab.realServers.map((rs) => {
      const via = obs.defaultRoutes.get(rs.name);
      return {
        name: `${rs.name}'s default gateway is not the director`,
        where: rs.name,
        expected: `a router other than ${dip}`,
        observed: via ? `default via ${via}` : 'no default route',
        ok: via !== undefined && via !== dip,
      };
    });
  },
};
