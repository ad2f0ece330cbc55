/** Each path, frame and address assertion of the verifier, failing on a lab broken on purpose. */
import { PATH_CASES, registerBrokenLabs } from '../helpers/broken-labs.js';

registerBrokenLabs(PATH_CASES);
