/** DR, direct routing (ipvsadm -g): the director rewrites only the Ethernet header; replies bypass it. */
import type { Frame } from '../model/observation.js';
import type { LvsMode } from './lvs-mode.js';
import { clientAddresses, isIp, macOwners, outbound, vipsOf } from './observed.js';

export const dr: LvsMode = {
  name: 'dr',
  facts: {
    forwardingFlag: '-g',
    modules: [],
    modules6: [],
    repliesBypassDirector: true,
    connectionSync: true,
    portMapping: { why: 'IP header is not rewritten' },
    realServerSees: 'client',
    realServerGateway: 'router',
    sameSegment: 'in dr mode the director only rewrites MAC addresses, so real servers must share its L2 segment',
    directorForwards: false,
    vsConntrack: false,
    vipDevice: 'lo',
    vipDevice6: 'lo',
    walk: { request: ['prerouting', 'input', 'output', 'postrouting'], reply: [] },
    walkNote: 'the LVS pages draw prerouting -> input -> postrouting: IPVS sends the request on through LOCAL_OUT, so it crosses output too',
  },
  replyPath: (p) => [
    { from: p.realServer, to: p.gateway, network: p.rsNet },
    { from: p.gateway, to: p.client, network: p.clientNet },
  ],
  directorSteps: () => [],
  /** Director -> real server frames rewrite only the Ethernet header. */
  deliveryChecks: (lab, obs) => {
    const owners = macOwners(lab, obs.macs);
    const vips = vipsOf(lab);
    const clients = clientAddresses(lab);
    const rsMacs = new Set(lab.realServers.map((rs) => obs.macs.get(rs.namespace)?.get(rs.interfaces[0].name)));
    const toServers = outbound(lab, obs).filter((f) => isIp(f) && f.src && clients.has(f.src.ip));
    const bad = toServers.filter((f) => !rsMacs.has(f.dstMac) || !vips.has(f.dst?.ip ?? ''));
    const sample = (f: Frame) => `${owners.get(f.srcMac) ?? f.srcMac} -> ${owners.get(f.dstMac) ?? f.dstMac}, IP ${f.src?.ip} -> ${f.dst?.ip}`;
    return [
      {
        name: "director -> real server frames carry the real server's MAC, the IP header CIP -> VIP unchanged",
        where: bad.length ? `${lab.director.name} -> ${owners.get(bad[0].dstMac) ?? bad[0].dstMac}` : `${lab.director.name} -> real servers`,
        expected: 'Ethernet director -> rsN, IP client -> VIP',
        observed:
          toServers.length === 0
            ? 'no client packet left the director'
            : `${toServers.length - bad.length}/${toServers.length} as expected${bad.length ? `; e.g. ${sample(bad[0])}` : `; e.g. ${sample(toServers[0])}`}`,
        ok: toServers.length > 0 && bad.length === 0,
      },
    ];
  },
  routingChecks: () => [],
};
