/**
 * The intent record: before `up` creates anything it writes which namespaces it is about to create,
 * for which lab and plan hash, and its pid. A namespace exists a moment before it carries its
 * ownership mark, so an `up` killed in between (kill -9, the OOM killer, a CI timeout) would leave
 * namespaces that `down` must not treat as foreign. `down` trusts the record of a dead `up` for
 * exactly those names: unmarked, or marked with that lab and hash. The record goes once `up` ends.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostView } from './host.js';
import { parseMark } from '../model/naming.js';

export interface Intent {
  lab: string;
  hash: string;
  namespaces: string[];
  pid: number;
}

export const INTENT_SUFFIX = '.intent.json';

export async function writeIntent(stateDir: string | undefined, intent: Intent): Promise<void> {
  if (!stateDir) return;
  await mkdir(stateDir, { recursive: true });
  await writeFile(join(stateDir, `${intent.lab}${INTENT_SUFFIX}`), `${JSON.stringify(intent)}\n`);
}

export async function clearIntent(stateDir: string | undefined, lab: string): Promise<void> {
  if (stateDir) await rm(join(stateDir, `${lab}${INTENT_SUFFIX}`), { force: true });
}

/** The records of `up` runs, readable ones only. */
async function intents(stateDir: string | undefined): Promise<Intent[]> {
  if (!stateDir) return [];
  const files = (await readdir(stateDir).catch(() => [] as string[])).filter((f) => f.endsWith(INTENT_SUFFIX));
  const found: Intent[] = [];
  for (const file of files) {
    try {
      const intent = JSON.parse(await readFile(join(stateDir, file), 'utf8')) as Intent;
      if (Array.isArray(intent.namespaces) && typeof intent.lab === 'string') found.push(intent);
    } catch {
      // a record cut short by the death it records (or being written): it names nothing to trust
    }
  }
  return found;
}

/** The records of `up` runs that died before they finished (their process is gone). */
export async function abandonedIntents(stateDir: string | undefined, host: HostView): Promise<Intent[]> {
  return (await intents(stateDir)).filter((intent) => !host.alive(intent.pid));
}

/** Whether an `up` is under way (its process lives): it may not have created, let alone marked, a namespace yet. */
export async function upUnderWay(stateDir: string | undefined, host: HostView): Promise<boolean> {
  return (await intents(stateDir)).some((intent) => host.alive(intent.pid));
}

/** The namespaces an abandoned record may remove: listed in it, existing, and without any lo alias or with its own lab's mark and hash. */
export function claimedBy(intent: Intent, aliases: ReadonlyMap<string, string | undefined>): string[] {
  return intent.namespaces.filter((ns) => {
    if (!aliases.has(ns)) return false;
    const alias = aliases.get(ns);
    if (alias === undefined) return true;
    const mark = parseMark(alias);
    return mark !== undefined && mark.lab === intent.lab && mark.planHash === intent.hash;
  });
}
