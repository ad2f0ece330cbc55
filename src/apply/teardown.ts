/**
 * Removes namespaces: first the processes living in them (services keep a namespace alive after
 * `ip netns del`), then the namespaces themselves in one `ip -batch`. Their veths and bridges go with them.
 */
import type { CommandRunner } from './runner.js';
import type { HostView } from './host.js';

export async function removeNamespaces(namespaces: readonly string[], runner: CommandRunner, host: HostView): Promise<void> {
  const existing = new Set(await host.listNamespaces());
  const targets = namespaces.filter((ns) => existing.has(ns));
  if (targets.length === 0) return;
  for (const pid of await host.pidsIn(targets)) await host.kill(pid);
  const result = await runner.run(['ip', '-force', '-batch', '-'], { input: targets.map((ns) => `netns del ${ns}`).join('\n') + '\n' });
  if (result.exitCode !== 0) throw new Error(`could not remove namespaces ${targets.join(', ')}: ${result.stderr.trim()}`);
}
