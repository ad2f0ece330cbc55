/**
 * The files a resident guest's lab programs start from, copied into the guest's tmpfs overlay at boot. The guest's
 * root is the host's over 9p: every exec of `ip` opened its ten libraries there, crossed the usr-merge links
 * (/lib -> usr/lib) and each library's soname link, and 9p caches no link (each crossing a round trip to qemu).
 * Copied, those are tmpfs lookups; measured: an `ip` 27-33 ms of guest CPU from 9p, 16-19 ms copied.
 */
import { accessSync, constants, existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ProcessRunner } from '../apply/runner.js';

/** The programs labs run in the guest, for each command, probe and service (src/plan, src/verify, src/apply). */
export const LAB_PROGRAMS = [
  ...['ip', 'ipvsadm', 'nft', 'iptables', 'sysctl', 'modprobe', 'tcpdump', 'curl', 'perl', 'keepalived'],
  ...['sh', 'cat', 'date', 'env', 'grep', 'head', 'kill', 'mkdir', 'mktemp', 'pgrep', 'rm', 'rmdir', 'sha256sum', 'sleep', 'tee', 'test', 'timeout', 'touch'],
];

/** What every dynamically linked program reads first, and what the lab's programs read at start-up or per line they print. */
const CONFIG_FILES = ['/etc/ld.so.cache', '/etc/localtime', '/etc/nsswitch.conf', '/etc/passwd', '/etc/group', '/etc/protocols', '/etc/services', '/etc/hosts'];
/** iproute2's names (`ip link` reads the groups each time). */
const IPROUTE2_CONFIG = '/etc/iproute2';
/** The usr-merge links at the root (directories on a root that is not merged: those are not copied). */
const ROOT_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const LOADER = '/lib64/ld-linux-x86-64.so.2';

const isLink = (path: string) => {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
};

/** A path with its directory resolved (its own last part may still be a link). */
function throughDirectory(path: string): string | undefined {
  try {
    return join(realpathSync(dirname(path)), path.slice(dirname(path).length + 1));
  } catch {
    return undefined;
  }
}

/** Each link a path crosses at its last part, hop by hop, then the file it ends at: everything an open of it reads. */
export function linkChain(path: string): string[] {
  const chain: string[] = [];
  let at = throughDirectory(path);
  while (at !== undefined && !chain.includes(at)) {
    chain.push(at);
    if (!isLink(at)) break;
    const target = readlinkSync(at);
    at = throughDirectory(isAbsolute(target) ? target : resolve(dirname(at), target));
  }
  return chain;
}

/** The libraries `ld.so --list` names (`libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)`, the loader by its path). */
export function listedLibraries(text: string): string[] {
  return text.split('\n').flatMap((line) => {
    const m = /^\s*(?:\S+ => )?(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    return m ? [m[1]] : [];
  });
}

/** The regular files of a directory (none when it is missing). */
function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isFile() ? [join(dir, entry.name)] : []));
  } catch {
    return [];
  }
}

/** The first executable file of that name in PATH's absolute directories (as the guest's agent looks it up: -f, -x). */
function onPath(program: string, path: string): string | undefined {
  for (const dir of path.split(':')) {
    if (!isAbsolute(dir)) return undefined;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * The files of this host's root that `programs` open when they start, as paths relative to the root: each program and
 * its libraries with every link on the way, the loader's cache, the root's usr-merge links. Empty on a host without
 * glibc's loader (nothing is copied; the guest works as before).
 */
export async function hotFiles(programs: readonly string[] = LAB_PROGRAMS, path = process.env.PATH ?? '', runner = new ProcessRunner()): Promise<string[]> {
  if (!existsSync(LOADER)) return [];
  const files = new Set<string>(ROOT_LINKS.filter(isLink));
  const add = (file: string) => linkChain(file).forEach((f) => files.add(f));
  [...CONFIG_FILES, ...filesIn(IPROUTE2_CONFIG)].forEach(add);
  const found = programs.flatMap((program) => onPath(program, path) ?? []);
  const listed = await Promise.all(found.map((program) => runner.run([LOADER, '--list', program])));
  found.forEach((program, i) => [program, ...listedLibraries(listed[i].exitCode === 0 ? listed[i].stdout : '')].forEach(add));
  // Perl's `use strict`, in every probe and service.
  if (programs.includes('perl')) {
    const strict = await runner.run(['perl', '-Mstrict', '-e', 'print $INC{"strict.pm"}']);
    if (strict.exitCode === 0 && isAbsolute(strict.stdout)) add(strict.stdout);
  }
  return [...files].map((f) => f.replace(/^\//, '')).sort();
}
