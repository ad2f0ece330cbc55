/** One named assertion about a running lab (defined in model: modes make them too). */
export type { CheckResult } from '../model/observation.js';
