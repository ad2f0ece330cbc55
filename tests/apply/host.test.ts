/**
 * The machine's view of processes, on this host and through the microVM's agent (here on its standard streams):
 * a process's program while it runs one, none once it exited (a zombie too); a kill that returns once they are gone.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { killFrozen, LinuxHost, type HostView } from '../../src/apply/host.js';
import { GuestLink } from '../../src/guest/guest-link.js';
import { GuestHost } from '../../src/guest/guest-machine.js';
import { AGENT_SCRIPT } from '../../src/model/package-root.js';
import { readUntil } from '../../src/verify/read-until.js';

const agent = spawn('perl', [AGENT_SCRIPT], { env: { ...process.env, LVSLAB_CHANNEL: '-' }, stdio: ['pipe', 'pipe', 'inherit'] });
test.after.always(() => agent.kill());
const hosts: Array<[string, HostView]> = [
  ['linux', new LinuxHost()],
  ['agent', new GuestHost(new GuestLink({ input: agent.stdout, output: agent.stdin }, 'the test agent'))],
];

/** A perl process (named lvslab-parent) whose child has exited and is never reaped: the child stays a zombie. */
async function parentOfZombie(): Promise<{ parent: number; zombie: number }> {
  const child = spawn('perl', ['-e', '$0 = "lvslab-parent"; $| = 1; my $p = fork(); exit 0 unless $p; print "$p\\n"; sleep 30'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  return { parent: child.pid!, zombie: Number(first.value) };
}

for (const [name, host] of hosts) {
  test(`a running process has its program; a zombie and a gone pid have none; killFrozen returns once they are gone (${name})`, async (t) => {
    const { parent, zombie } = await parentOfZombie();
    try {
      t.is(await host.programOf(parent), 'lvslab-parent');
      const exited = await readUntil(
        () => host.programOf(zombie),
        (program) => program === undefined,
        Date.now(),
        Date.now() + 10_000,
      );
      t.is(exited.last, undefined, 'the exited child, a zombie until its parent reaps it, runs no program');
      t.is(await host.programOf(2 ** 22 + 1), undefined);
      await killFrozen(host, [parent]);
      t.is(await host.programOf(parent), undefined, 'killed and gone by the time the kill returns');
    } finally {
      try {
        process.kill(parent, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  });
}
