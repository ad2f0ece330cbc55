/** What the verbs share: the --runner option, and where their work runs (the conductor in src/session decides). */
import type { Where } from '../session/where-ipvs-is.js';
import type { RunnerChoice } from '../vm/choose-runner.js';
import { oneOf, type ParsedArgs } from './args.js';
import { log, runSelfInVm } from './vm-options.js';

export const RUNNER_OPTION = { runner: { type: 'string', default: 'auto' } } as const;

/** The conductor's view of the user's choices: --runner, and the microVM options for running this CLI in the guest. */
export function whereFrom(values: ParsedArgs['values']): Where {
  const choice = oneOf(values.runner, ['auto', 'host', 'vm'] as const, '--runner') as RunnerChoice;
  return { choice, runSelf: (verbArgs, streams) => runSelfInVm(verbArgs, values, streams), log };
}
