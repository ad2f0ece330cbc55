/**
 * A Debian 12 root shaped like the `debian/bookworm64` box: Debian's important packages, sudo and
 * rsync, no Node (or Debian's own Node 18, for the second bootstrap case), nothing of the project's.
 * Built with mmdebstrap from the host's Debian sources once per Debian point release, then reused.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from '../apply/runner.js';
import { joinCommand } from '../plan/render-script.js';
import { cacheDir } from '../vm/kernel.js';

export const ROOT_KINDS = ['no-node', 'node18'] as const;
export type RootKind = (typeof ROOT_KINDS)[number];

export const ROOT_KIND_TITLES: Record<RootKind, string> = {
  'no-node': 'Debian 12, no Node (the box as it comes)',
  node18: "Debian 12 with Debian's Node 18",
};

const SUITE = 'bookworm';
/** What every root gets beyond Debian's important packages: what the box adds for Vagrant (sudo, rsync for the synced folder). */
const BOX_PACKAGES = ['sudo', 'rsync'];
const KIND_PACKAGES: Record<RootKind, string[]> = { 'no-node': [], node18: ['nodejs'] };
/** The host's Debian sources: the root reaches the same registry as the host. */
const HOST_SOURCES = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'];

export class RootError extends Error {
  override name = 'RootError';
}

export function rootsDir(): string {
  return join(cacheDir(), 'vagrant-path');
}

/** Debian's point release as the registry serves it (base-files' version, e.g. 12.4+deb12u15): a new one rebuilds the roots. */
export async function debianRelease(runner: CommandRunner): Promise<string> {
  const result = await runner.run(['apt-cache', 'policy', 'base-files']);
  const candidate = /Candidate:\s*(\S+)/.exec(result.stdout)?.[1];
  if (result.exitCode !== 0 || !candidate || candidate === '(none)') {
    const said = JSON.stringify(result.stdout.trim() || result.stderr.trim());
    throw new RootError(`cannot tell Debian's current release: apt-cache policy base-files said ${said}; run apt-get update`);
  }
  return candidate;
}

/** The mmdebstrap command that builds a root of this kind into `target`. */
export function mmdebstrapArgv(kind: RootKind, target: string, sources: string | undefined): string[] {
  const include = [...BOX_PACKAGES, ...KIND_PACKAGES[kind]].join(',');
  return ['mmdebstrap', '--mode=root', '--variant=important', `--include=${include}`, SUITE, target, ...(sources ? [sources] : [])];
}

export interface Root {
  kind: RootKind;
  dir: string;
  release: string;
  /** Built by this call (false: taken from the cache). */
  built: boolean;
}

/** The cached root of this kind for the current release, built when missing; roots of older releases are removed. */
export async function debianRoot(kind: RootKind, runner: CommandRunner, log: (line: string) => void): Promise<Root> {
  const release = await debianRelease(runner);
  const name = `${kind}-${release.replace(/[^A-Za-z0-9.+-]/g, '_')}`;
  const dir = join(rootsDir(), name);
  if (existsSync(join(dir, '.lvslab-complete'))) return { kind, dir, release, built: false };
  await mkdir(rootsDir(), { recursive: true });
  for (const entry of await readdir(rootsDir())) {
    if (entry.startsWith(`${kind}-`) && entry !== name) await rm(join(rootsDir(), entry), { recursive: true, force: true });
  }
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  const argv = mmdebstrapArgv(
    kind,
    partial,
    HOST_SOURCES.find((f) => existsSync(f)),
  );
  log(`building the ${kind} root: ${joinCommand(argv)}`);
  const result = await runner.run(argv);
  if (result.exitCode !== 0) {
    await rm(partial, { recursive: true, force: true });
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-12).join('\n');
    throw new RootError(`mmdebstrap could not build the ${kind} root (status ${result.exitCode}):\n${tail}`);
  }
  await writeFile(join(partial, '.lvslab-complete'), `${release}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return { kind, dir, release, built: true };
}
