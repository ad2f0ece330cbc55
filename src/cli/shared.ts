/** What the verbs share: the real runner and host, and the --runner option. */
import { STATE_DIR, type LifecycleOptions } from '../apply/lab-lifecycle.js';
import { LinuxHost } from '../apply/host.js';
import { ExecaRunner } from '../apply/runner.js';

export const RUNNER_OPTION = { runner: { type: 'string', default: 'auto' } } as const;

export function lifecycle(): LifecycleOptions {
  return { runner: new ExecaRunner(), host: new LinuxHost(), stateDir: STATE_DIR };
}
