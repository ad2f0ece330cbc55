/** Verifier assertions failing on NAT labs broken on purpose (a file of its own, so that the suite can balance its two microVMs). */
import { ALL_CASES, modeOfCase, registerBrokenLabs } from '../helpers/broken-labs.js';

registerBrokenLabs(ALL_CASES.filter((c) => modeOfCase(c) === 'nat'));
