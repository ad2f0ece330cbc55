/**
 * The labs the cluster benchmark builds: one per mode and real-server count, all real servers on the
 * director's LAN (TUN included: the tunnel does not need a routed network), two clients, one TCP service.
 * Built from YAML text through the same validator as a user's file.
 */
import { parseTopology } from '../load/load-topology.js';
import type { Family, Lab, Mode } from '../model/lab.js';
import { validateLoaded } from '../validate/validate-topology.js';

export function benchTopologyText(mode: Mode, servers: number, clients = 2, family: Family = 'ipv4'): string {
  const v6 = family === 'ipv6';
  return [
    `name: b${mode}${v6 ? '6x' : ''}${servers}`,
    `mode: ${mode}`,
    `realServers: ${servers}`,
    `clients: ${clients}`,
    'services:',
    `  - { protocol: tcp, port: 80, scheduler: rr${v6 ? ', family: ipv6' : ''} }`,
    '',
  ].join('\n');
}

/** A bench lab; of family ipv6, its service is on the IPv6 VIP alone (the default networks then carry their IPv6 subnets). */
export function benchLab(mode: Mode, servers: number, clients = 2, family: Family = 'ipv4'): Lab {
  return validateLoaded(parseTopology(benchTopologyText(mode, servers, clients, family), `(bench ${mode}, ${servers} real servers, ${family})`));
}
