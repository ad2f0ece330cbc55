/** Verifier assertions failing on TUN and FULLNAT labs broken on purpose (and any other mode's: DR's and NAT's cases run in files of their own). */
import { ALL_CASES, modeOfCase, registerBrokenLabs } from '../helpers/broken-labs.js';

registerBrokenLabs(ALL_CASES.filter((c) => modeOfCase(c) !== 'dr' && modeOfCase(c) !== 'nat'));
