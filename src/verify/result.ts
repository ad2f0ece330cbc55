/** One named assertion about a running lab: what was expected, what was observed, where. */
export interface CheckResult {
  name: string;
  /** The node or hop the check is about, e.g. `client`, `director -> rs1`. */
  where: string;
  expected: string;
  observed: string;
  ok: boolean;
}
