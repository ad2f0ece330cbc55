/**
 * The labs the cluster benchmark builds: one per mode and real-server count, all real servers on the
 * director's LAN (TUN included: the tunnel does not need a routed network), two clients, one TCP service.
 * Built from YAML text through the same validator as a user's file.
 */
import { parseTopology } from '../load/load-topology.js';
import type { Lab, Mode } from '../model/lab.js';
import { validateLoaded } from '../validate/validate-topology.js';

export function benchTopologyText(mode: Mode, servers: number, clients = 2): string {
  return [
    `name: b${mode}${servers}`,
    `mode: ${mode}`,
    `realServers: ${servers}`,
    `clients: ${clients}`,
    'services:',
    '  - { protocol: tcp, port: 80, scheduler: rr }',
    '',
  ].join('\n');
}

export function benchLab(mode: Mode, servers: number, clients = 2): Lab {
  return validateLoaded(parseTopology(benchTopologyText(mode, servers, clients), `(bench ${mode}, ${servers} real servers)`));
}
