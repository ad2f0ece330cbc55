/**
 * Removes namespaces: first the processes living in them (services keep a namespace alive after
 * `ip netns del`), then the namespaces themselves in one `ip -batch`. Their veths and bridges go with them.
 */
import type { CommandRunner } from './runner.js';
import { killFrozen, type HostView } from './host.js';

/** Rounds of listing and killing: a process that entered a namespace while the last round killed is caught by the next. */
const KILL_ROUNDS = 5;

export async function removeNamespaces(namespaces: readonly string[], runner: CommandRunner, host: HostView): Promise<void> {
  const existing = new Set(await host.listNamespaces());
  const targets = namespaces.filter((ns) => existing.has(ns));
  if (targets.length === 0) return;
  // An `up` killed with -9 may leave an `ip netns exec` that enters its namespace only now; the next round gets it.
  for (let round = 0; round < KILL_ROUNDS; round++) {
    const pids = await host.pidsIn(targets);
    if (pids.length === 0) break;
    await killFrozen(host, pids);
  }
  const result = await runner.run(['ip', '-force', '-batch', '-'], { input: targets.map((ns) => `netns del ${ns}`).join('\n') + '\n' });
  if (result.exitCode !== 0) throw new Error(`could not remove namespaces ${targets.join(', ')}: ${result.stderr.trim()}`);
}
