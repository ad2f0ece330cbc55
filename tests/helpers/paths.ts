import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/model/package-root.js';

export const TOPOLOGIES = join(PACKAGE_ROOT, 'topologies');
export const FIXTURES = join(PACKAGE_ROOT, 'tests', 'fixtures');
/** The IPv6 labs: one per mode, DR and FULLNAT dual-stack. */
export const SHIPPED_IPV6 = ['dr6', 'dr-dual', 'nat6', 'tun6', 'fullnat-dual'];
export const SHIPPED = [
  'dr',
  'nat',
  'tun',
  'fullnat',
  'dr-wrr8',
  'dr-keepalived',
  'dr-pair',
  'nat-pair',
  'fullnat-pair',
  'tun-pair',
  'dr-own',
  ...SHIPPED_IPV6,
];
/** A fixed service command, so golden plans do not depend on where the checkout and Node live. */
export const GOLDEN_SERVICE_COMMAND = ['perl', '/opt/lvslab/src/apply/real-server-service.pl'];
