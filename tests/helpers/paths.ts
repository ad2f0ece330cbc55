import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/model/package-root.js';

export const TOPOLOGIES = join(PACKAGE_ROOT, 'topologies');
export const FIXTURES = join(PACKAGE_ROOT, 'tests', 'fixtures');
export const SHIPPED = ['dr', 'nat', 'tun', 'fullnat', 'dr-wrr8', 'dr-keepalived', 'dr-pair', 'nat-pair', 'fullnat-pair', 'tun-pair', 'dr-own'];
/** A fixed service command, so golden plans do not depend on where the checkout and Node live. */
export const GOLDEN_SERVICE_COMMAND = ['node', '/opt/lvslab/dist/src/apply/real-server-service.js'];
