/**
 * The machine labs run on, for real: this one (commands through the process runner, the state under
 * /run/lvslab), or the resident microVM named by LVSLAB_GUEST (`lvslab vm --serve`: its agent runs the
 * commands; lvslab's own records stay on this side, beside the guest's socket). The one place that picks.
 */
import { LinuxHost } from '../apply/host.js';
import { STATE_DIR, type LifecycleOptions } from '../apply/lab-lifecycle.js';
import { ProcessRunner, type CommandRunner } from '../apply/runner.js';
import { GuestHost, GuestRunner } from '../guest/guest-machine.js';
import { residentGuest } from '../guest/resident.js';
import { guestStateDir } from '../guest/serve.js';

export function machineLifecycle(runner?: CommandRunner): LifecycleOptions {
  const guest = residentGuest();
  if (guest) return { runner: runner ?? new GuestRunner(guest.link), host: new GuestHost(guest.link), stateDir: guestStateDir(guest.path) };
  return { runner: runner ?? new ProcessRunner(), host: new LinuxHost(), stateDir: STATE_DIR };
}
