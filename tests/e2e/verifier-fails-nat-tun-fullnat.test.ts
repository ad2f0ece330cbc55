/** Verifier assertions failing on NAT, TUN and FULLNAT labs broken on purpose (DR's cases run in another microVM). */
import { ALL_CASES, modeOfCase, registerBrokenLabs } from '../helpers/broken-labs.js';

registerBrokenLabs(ALL_CASES.filter((c) => modeOfCase(c) !== 'dr'));
