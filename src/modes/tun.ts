/** TUN, IP-in-IP (ipvsadm -i): the director encapsulates requests; real servers anywhere routed; replies bypass it. */
import type { CheckResult } from '../model/observation.js';
import { viewFamily } from '../model/family-view.js';
import type { LvsMode } from './lvs-mode.js';
import { clientAddresses, isIp, macOwners, outbound, servedBy, vipsOf } from './observed.js';

/** The TCP MSS a TUN real server advertises so that tunnelled segments fit a 1500-byte path (20 bytes of outer header). */
export const TUN_ADVMSS = 1440;
/** The same over IPv6-in-IPv6: 40 bytes of outer header, 40 of inner, 20 of TCP. */
export const TUN_ADVMSS6 = 1400;

export const tun: LvsMode = {
  name: 'tun',
  facts: {
    forwardingFlag: '-i',
    modules: ['ipip'],
    modules6: ['ip6_tunnel'],
    repliesBypassDirector: true,
    connectionSync: true,
    portMapping: { why: 'inner packet travels unchanged' },
    realServerSees: 'client',
    realServerGateway: 'router',
    directorForwards: false,
    vsConntrack: false,
    vipDevice: 'tunl0',
    vipDevice6: 'ip6tnl0',
    realServerRouteOptions: `advmss ${TUN_ADVMSS}`,
    realServerRouteOptions6: `advmss ${TUN_ADVMSS6}`,
    walk: { request: ['prerouting', 'input', 'output', 'postrouting'], reply: [] },
  },
  replyPath: (p) => [
    { from: p.realServer, to: p.gateway, network: p.rsNet },
    { from: p.gateway, to: p.client, network: p.clientNet },
  ],
  directorSteps: () => [],
  deliveryChecks: (lab, obs) => {
    // Director -> real server packets are IP-in-IP, outer DIP -> RIP, inner CIP -> VIP.
    const dip = lab.director.interfaces[0].address;
    const rips = new Map(lab.realServers.map((rs) => [rs.interfaces[0].address, rs.name]));
    const vips = vipsOf(lab);
    const clients = clientAddresses(lab);
    const out = outbound(lab, obs).filter((f) => isIp(f));
    const tunnelled = out.filter((f) => f.inner);
    const good = tunnelled.filter((f) => f.src?.ip === dip && rips.has(f.dst?.ip ?? '') && clients.has(f.inner!.src.ip) && vips.has(f.inner!.dst.ip));
    const plain = out.filter((f) => !f.inner && f.src && clients.has(f.src.ip));
    const bad = plain[0] ?? tunnelled.find((f) => !good.includes(f));
    const example = bad ? `; e.g. ${bad.src?.ip} -> ${bad.dst?.ip}${bad.inner ? ` [${bad.inner.src.ip} -> ${bad.inner.dst.ip}]` : ''}` : '';
    const v6 = viewFamily(lab) === 'ipv6';
    const frames: CheckResult = {
      name: `director -> real server packets are ${v6 ? 'IPv6-in-IPv6' : 'IP-in-IP'}, outer DIP -> RIP, inner CIP -> VIP`,
      // A packet not tunnelled to a real server is named by the node its frame went to.
      where: bad
        ? `${lab.director.name} -> ${rips.get(bad.dst?.ip ?? '') ?? macOwners(lab, obs.macs).get(bad.dstMac) ?? bad.dst?.ip}`
        : `${lab.director.name} -> real servers`,
      expected: `${v6 ? 'next header 41' : 'protocol 4'}, outer ${dip} -> RIP, inner client -> VIP`,
      observed:
        out.length === 0
          ? 'no packet left the director'
          : `${good.length} tunnelled as expected, ${tunnelled.length - good.length} tunnelled otherwise, ${plain.length} client packets ` +
            `not tunnelled${example}`,
      ok: good.length > 0 && good.length === tunnelled.length && plain.length === 0,
    };
    // Real servers in other networks than the director's are served: TUN's reason to exist.
    const lan = lab.director.interfaces[0].network;
    const remote = lab.realServers.filter((rs) => rs.interfaces[0].network !== lan && rs.weight > 0);
    if (remote.length === 0) return [frames];
    const served = servedBy(obs);
    const missing = remote.filter((rs) => !served.has(rs.name)).map((rs) => rs.name);
    return [
      frames,
      {
        name: "real servers in other networks than the director's are served",
        where: missing.join(', ') || remote.map((rs) => rs.name).join(', '),
        expected: remote.map((rs) => `${rs.name} (${rs.interfaces[0].network})`).join(', '),
        observed: missing.length ? `never answered: ${missing.join(', ')}` : 'all answered',
        ok: missing.length === 0,
      },
    ];
  },
  routingChecks: () => [],
};
