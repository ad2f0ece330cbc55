/** Verifier assertions failing on NAT labs broken on purpose (in the first microVM, beside the lab lifecycle: the two VMs then end together). */
import { ALL_CASES, modeOfCase, registerBrokenLabs } from '../helpers/broken-labs.js';

registerBrokenLabs(ALL_CASES.filter((c) => modeOfCase(c) === 'nat'));
