/** Each serving, scheduling and ARP assertion of the verifier, failing on a lab broken on purpose. */
import { registerBrokenLabs, SERVING_CASES } from '../helpers/broken-labs.js';

registerBrokenLabs(SERVING_CASES);
