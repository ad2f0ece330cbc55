/**
 * Finds what lvslab owns by name, without the YAML file or saved state: every namespace a lab
 * creates carries an ownership mark (the alias of its `lo`). Namespaces without a mark are never touched.
 */
import { parseMark, type Mark } from '../model/naming.js';
import { splitByNamespace } from './all-namespaces.js';
import type { CommandRunner } from './runner.js';
import type { HostView } from './host.js';

export interface OwnedNamespace extends Mark {
  namespace: string;
}

/** Parses `ip -all netns exec ip -o link show dev lo`: each namespace's lo alias, if it has one. */
export function parseLoAliases(output: string): Map<string, string | undefined> {
  return new Map([...splitByNamespace(output)].map(([ns, text]) => [ns, /\balias (\S+)/.exec(text)?.[1]]));
}

/**
 * How often the read is tried. `ip -all netns exec` goes through the namespaces one child at a time and gives up on
 * the rest when a child dies of a signal: another lab's `down` kills whatever is in its namespaces, that child
 * included (seen in CI: a concurrent `down` listed no namespace of its own lab and removed nothing).
 */
const ALIAS_READS = 5;

/** Every namespace's lo alias (one process, whatever the number of namespaces). */
export async function loAliases(runner: CommandRunner, host: HostView): Promise<Map<string, string | undefined>> {
  if ((await host.listNamespaces()).length === 0) return new Map();
  for (let attempt = 1; ; attempt++) {
    const result = await runner.run(['ip', '-all', 'netns', 'exec', 'ip', '-o', 'link', 'show', 'dev', 'lo']);
    // Its status is 0 whatever each namespace's command did, unless it stopped part-way.
    if (result.exitCode === 0) return parseLoAliases(result.stdout);
    if (attempt === ALIAS_READS) throw new Error(`cannot read the namespaces' ownership marks: ip -all netns exec stopped part-way (${result.stderr.trim()})`);
  }
}

/** Every namespace on the machine that carries an lvslab mark. One process, whatever the number of labs. */
export async function findOwned(runner: CommandRunner, host: HostView): Promise<OwnedNamespace[]> {
  const owned: OwnedNamespace[] = [];
  for (const [namespace, alias] of await loAliases(runner, host)) {
    const mark = parseMark(alias);
    if (mark && namespace === `${mark.lab}-${mark.node}`) owned.push({ namespace, ...mark });
  }
  return owned.sort((a, b) => a.namespace.localeCompare(b.namespace));
}

/** Groups owned namespaces by lab. */
export function byLab(owned: OwnedNamespace[]): Map<string, OwnedNamespace[]> {
  const labs = new Map<string, OwnedNamespace[]>();
  for (const entry of owned) labs.set(entry.lab, [...(labs.get(entry.lab) ?? []), entry]);
  return labs;
}
