/** Small readings of an observation that several modes' checks share. */
import { allNodes, type Lab } from '../model/lab.js';
import type { Frame, Observation } from '../model/observation.js';

/** The MAC of every node interface, for naming frames: mac -> node name. */
export function macOwners(lab: Lab, macs: Observation['macs']): Map<string, string> {
  const owners = new Map<string, string>();
  for (const node of allNodes(lab)) {
    for (const i of node.interfaces) {
      const mac = macs.get(node.namespace)?.get(i.name);
      if (mac) owners.set(mac, node.name);
    }
  }
  return owners;
}

/** Frames the director itself sent on its LAN link (from its capture). */
export function outbound(lab: Lab, obs: Observation): Frame[] {
  const directorMac = obs.macs.get(lab.director.namespace)?.get(lab.director.interfaces[0].name);
  return obs.directorFrames.filter((f) => f.srcMac === directorMac);
}

/** The real servers that answered any probe. */
export function servedBy(obs: Observation): Set<string> {
  return new Set(
    [...obs.answers.values()]
      .flat()
      .filter((a) => a.ok && a.node)
      .map((a) => a.node!),
  );
}

export const clientAddresses = (lab: Lab) => new Set(lab.clients.map((c) => c.interfaces[0].address));
export const vipsOf = (lab: Lab) => new Set(lab.services.map((s) => s.vip));

/** An IP packet of either family. */
export function isIp(f: Frame): boolean {
  return f.kind === 'ipv4' || f.kind === 'ipv6';
}
