/** Verifier assertions failing on IPv6 labs broken on purpose: the neighbour discovery, the IPv6 tunnel, the routes and the source NAT of each family. */
import { IPV6_CASES, registerBrokenLabs } from '../helpers/broken-labs.js';

registerBrokenLabs(IPV6_CASES);
