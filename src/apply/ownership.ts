/**
 * Finds what lvslab owns by name, without the YAML file or saved state: every namespace a lab
 * creates carries an ownership mark (the alias of its `lo`). Namespaces without a mark are never touched.
 */
import { parseMark, type Mark } from '../model/naming.js';
import { readAllNamespaces, splitByNamespace } from './all-namespaces.js';
import type { CommandRunner } from './runner.js';
import type { HostView } from './host.js';

export interface OwnedNamespace extends Mark {
  namespace: string;
}

/** The alias in one namespace's `ip -o link show dev lo`, if it has one. */
function aliasIn(text: string): string | undefined {
  return /\balias (\S+)/.exec(text)?.[1];
}

/** Parses `ip -all netns exec ip -o link show dev lo`: each namespace's lo alias, if it has one. */
export function parseLoAliases(output: string): Map<string, string | undefined> {
  return new Map([...splitByNamespace(output)].map(([ns, text]) => [ns, aliasIn(text)]));
}

/**
 * Every namespace's lo alias (one process, whatever the number of namespaces), or only those of the namespaces
 * `only` accepts (one process each, all at once): a lab's own `up` or `down` need not read every other lab's.
 */
export async function loAliases(runner: CommandRunner, host: HostView, only?: (namespace: string) => boolean): Promise<Map<string, string | undefined>> {
  const listed = await host.listNamespaces();
  if (listed.length === 0) return new Map();
  if (!only) return parseLoAliases(await readAllNamespaces(runner, ['ip', '-o', 'link', 'show', 'dev', 'lo'], "the namespaces' ownership marks"));
  const namespaces = listed.filter(only);
  const reads = await Promise.all(namespaces.map((ns) => runner.run(['ip', '-n', ns, '-o', 'link', 'show', 'dev', 'lo'])));
  const failed = namespaces.filter((_, i) => reads[i].exitCode !== 0);
  // A namespace removed since it was listed is simply not there; one still there must be read.
  const still = new Set(failed.length > 0 ? await host.listNamespaces() : []);
  const unread = failed.find((ns) => still.has(ns));
  if (unread) throw new Error(`cannot read the ownership mark of namespace ${unread}: ${reads[namespaces.indexOf(unread)].stderr.trim()}`);
  return new Map(namespaces.flatMap((ns, i) => (reads[i].exitCode === 0 ? [[ns, aliasIn(reads[i].stdout)] as const] : [])));
}

/** The namespaces a lab's marks can be on: a mark counts only on `<lab>-<node>`. */
export function namedFor(lab: string): (namespace: string) => boolean {
  return (namespace) => namespace.startsWith(`${lab}-`);
}

/** Every namespace on the machine that carries an lvslab mark (or only among those `only` accepts). */
export async function findOwned(runner: CommandRunner, host: HostView, only?: (namespace: string) => boolean): Promise<OwnedNamespace[]> {
  const owned: OwnedNamespace[] = [];
  for (const [namespace, alias] of await loAliases(runner, host, only)) {
    const mark = parseMark(alias);
    if (mark && namespace === `${mark.lab}-${mark.node}`) owned.push({ namespace, ...mark });
  }
  return owned.sort((a, b) => a.namespace.localeCompare(b.namespace));
}

/** The namespaces one lab owns (only its own namespaces are read). */
export async function ownedBy(lab: string, runner: CommandRunner, host: HostView): Promise<OwnedNamespace[]> {
  return byLab(await findOwned(runner, host, namedFor(lab))).get(lab) ?? [];
}

/** Groups owned namespaces by lab. */
export function byLab(owned: OwnedNamespace[]): Map<string, OwnedNamespace[]> {
  const labs = new Map<string, OwnedNamespace[]>();
  for (const entry of owned) labs.set(entry.lab, [...(labs.get(entry.lab) ?? []), entry]);
  return labs;
}
