/** What the verbs share: the --runner option, and where their work runs (the conductor in src/session decides). */
import type { Where } from '../session/where-ipvs-is.js';
import { withOwnGuest } from '../guest/own-guest.js';
import type { RunnerChoice } from '../vm/choose-runner.js';
import { oneOf, UsageError, type ParsedArgs } from './args.js';
import { log, requestFromOptions, runSelfInVm } from './vm-options.js';

export const RUNNER_OPTION = { runner: { type: 'string', default: 'auto' } } as const;

/**
 * How a verb uses the microVM: `resident` (the default) runs lvslab here and only the labs' commands in
 * the guest; `whole` runs the verb itself inside the guest (the previous path, kept for comparison).
 */
export function vmPath(env: NodeJS.ProcessEnv = process.env): 'resident' | 'whole' {
  const asked = env.LVSLAB_VM_PATH;
  if (asked === undefined || asked === '' || asked === 'resident') return 'resident';
  if (asked === 'whole') return 'whole';
  throw new UsageError(`LVSLAB_VM_PATH=${asked} is not a way to use the microVM: resident (the default: lvslab runs here) or whole (lvslab runs in the guest)`);
}

/**
 * The conductor's view of the user's choices: --runner, and the microVM options for the guest. `whole`
 * makes the verb run inside the guest whatever LVSLAB_VM_PATH says (bench: its load clients are its own).
 */
export function whereFrom(values: ParsedArgs['values'], how: { whole?: boolean } = {}): Where {
  const choice = oneOf(values.runner, ['auto', 'host', 'vm'] as const, '--runner') as RunnerChoice;
  const where: Where = { choice, runSelf: (verbArgs, streams) => runSelfInVm(verbArgs, values, streams), log };
  if (how.whole || vmPath() === 'whole') return where;
  return { ...where, withGuest: async (work) => withOwnGuest(await requestFromOptions([], values, { stdout: process.stdout, stderr: process.stderr }), work) };
}
