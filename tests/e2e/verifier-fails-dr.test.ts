/** Verifier assertions failing on DR labs broken on purpose (the other modes' cases run in another microVM). */
import { ALL_CASES, modeOfCase, registerBrokenLabs } from '../helpers/broken-labs.js';

registerBrokenLabs(ALL_CASES.filter((c) => modeOfCase(c) === 'dr'));
