/** NAT (ipvsadm -m): the director rewrites requests and replies; the real servers' gateway is the director. */
import type { LvsMode } from './lvs-mode.js';
import { servedBy } from './observed.js';

export const nat: LvsMode = {
  name: 'nat',
  facts: {
    forwardingFlag: '-m',
    modules: [],
    modules6: [],
    repliesBypassDirector: false,
    connectionSync: true,
    portMapping: true,
    // The real servers' gateway floats with the VIP (the last host of the directors' network).
    realServerSees: 'client',
    realServerGateway: 'director',
    sameSegment: "in nat mode a real server's default gateway is the director, so it must sit on the director's network",
    directorForwards: true,
    vsConntrack: false,
    walk: { request: ['prerouting', 'input', 'output', 'postrouting'], reply: ['prerouting', 'forward', 'postrouting'] },
  },
  replyPath: (p) => [
    { from: p.realServer, to: p.director, network: p.lan },
    { from: p.director, to: p.gateway, network: p.lan },
    { from: p.gateway, to: p.client, network: p.clientNet },
  ],
  directorSteps: () => [],
  /** Replies leave the real servers with source RIP:RPORT toward the director. */
  deliveryChecks: (lab, obs) => {
    const directorMac = obs.macs.get(lab.director.namespace)?.get(lab.director.interfaces[0].name);
    const served = servedBy(obs);
    return lab.realServers
      .filter((rs) => served.has(rs.name))
      .map((rs) => {
        const rip = rs.interfaces[0].address;
        const ports = new Set(lab.services.flatMap((s) => s.members.filter((m) => m.realServer === rs.name).map((m) => m.port)));
        const frames = obs.directorFrames.filter((f) => f.src?.ip === rip && f.src.port !== undefined && ports.has(f.src.port));
        const toDirector = frames.filter((f) => f.dstMac === directorMac);
        return {
          name: `replies leave ${rs.name} with source ${rip}:${[...ports].join('/')} toward the director`,
          where: `${rs.name} -> ${lab.director.name}`,
          expected: `frames from ${rip}:${[...ports].join('/')} addressed to the director's MAC`,
          observed: `${toDirector.length} such frames seen at the director`,
          ok: toDirector.length > 0,
        };
      });
  },
  routingChecks: () => [],
};
