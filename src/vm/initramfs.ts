/**
 * A tiny initramfs: static busybox, the modules that mount the host root over 9p with a tmpfs
 * overlay, and an init that chroots into it to run the guest script. Built once per kernel and cached.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ProcessRunner } from '../apply/runner.js';
import { cacheDir, VmError, type Kernel } from './kernel.js';
import { programHeaders, PT_INTERP } from './elf.js';

export const BOOT_MARKER = 'LVSLAB-BOOTED';
export const SHARE_TAGS = { root: 'lvsroot', modules: 'lvsmods', run: 'lvsrun' } as const;
/** Where the per-run share (guest script, exit status) appears in the guest. */
export const GUEST_RUN_DIR = '/run/lvslab-vm';
/** The run share's list of host files to copy into the guest's overlay at boot (paths relative to the root, one a line). */
export const HOT_FILES = 'hot-files';

const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];
/** Changes when what goes into the image changes beyond the init script (cached images of an older layout are not reused). */
const INITRAMFS_LAYOUT = 'applets linked, modules unsigned';
/** The applets the init calls, linked at build time (`busybox --install` at boot costs a tenth of a second under emulation). */
export const INIT_APPLETS = ['sh', 'mount', 'mkdir', 'insmod', 'chroot', 'sleep', 'cpio'];

function dependencies(modulesDep: string): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const line of modulesDep.split('\n')) {
    const [file, rest] = line.split(':');
    if (file) deps.set(file, (rest ?? '').trim().split(/\s+/).filter(Boolean));
  }
  return deps;
}

/** Modules in load order: each one's dependencies (from modules.dep) before it. */
export function loadOrder(modulesDep: string, wanted: readonly string[]): string[] {
  const deps = dependencies(modulesDep);
  const byName = new Map([...deps.keys()].map((f) => [basename(f).replace(/\.ko(\.[a-z]+)?$/, ''), f]));
  const order: string[] = [];
  const visit = (file: string) => {
    if (order.includes(file)) return;
    for (const dep of deps.get(file) ?? []) visit(dep);
    order.push(file);
  };
  for (const name of wanted) {
    const file = byName.get(name);
    if (file) visit(file); // absent from modules.dep: built into the kernel
  }
  return order;
}

/**
 * The same modules in rounds: a module's dependencies all lie in earlier rounds, so each round's modules
 * load side by side (the guest has more than one vCPU, and each insmod relocates its module under emulation).
 */
export function loadRounds(modulesDep: string, order: readonly string[]): string[][] {
  const deps = dependencies(modulesDep);
  const round = new Map<string, number>();
  for (const file of order) round.set(file, Math.max(-1, ...(deps.get(file) ?? []).map((d) => round.get(d) ?? -1)) + 1);
  const rounds: string[][] = [];
  for (const file of order) (rounds[round.get(file)!] ??= []).push(file);
  return rounds;
}

function insmodRound(files: readonly string[]): string {
  const one = (f: string) => `insmod /modules/${basename(f)} || fail "insmod /modules/${basename(f)} failed"`;
  return files.length === 1 ? one(files[0]) : `${files.map((f) => `{ ${one(f)}; } &`).join(' ')} wait`;
}

function initScript(rounds: string[][]): string {
  const m = SHARE_TAGS;
  return `#!/bin/busybox sh
# lvslab microVM init: mount the host root read-only with a tmpfs overlay, then run the guest script in it.
export PATH=/bin
mkdir -p /proc /sys /dev /host /rw /new
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
fail() { echo "lvslab-init: $*"; echo o > /proc/sysrq-trigger; sleep 5; }
${rounds.map(insmodRound).join('\n')}
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 ${m.root} /host || fail "cannot mount the host root"
mount -t tmpfs -o mode=755 tmpfs /rw && mkdir -p /rw/upper /rw/work /rw/run
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 ${m.run} /rw/run || fail "cannot mount the run share"
# The files the lab's programs start from (a resident guest's, hot-files.ts): into the upper layer before it is mounted.
if [ -s /rw/run/${HOT_FILES} ]; then
  (cd /host && cpio -o -H newc < /rw/run/${HOT_FILES} 2>/dev/null) | (cd /rw/upper && cpio -i -d -m 2>/dev/null) || fail "cannot copy the hot files"
fi
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work /new || fail "cannot mount the overlay"
mkdir -p /new/lib/modules
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 ${m.modules} /new/lib/modules || fail "cannot mount the modules"
mount -t tmpfs tmpfs /new/run
mount -t tmpfs tmpfs /new/tmp
mkdir -p /new${GUEST_RUN_DIR}
mount --move /rw/run /new${GUEST_RUN_DIR}
# Directories the root share cannot show (under the host's /tmp or /run) come as shares of their own.
n=0
if [ -f /new${GUEST_RUN_DIR}/shares ]; then
  while read -r tag path; do
    n=$((n + 1)); mkdir -p /rw/extra$n/lower /rw/extra$n/upper /rw/extra$n/work "/new$path"
    mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 "$tag" /rw/extra$n/lower || fail "cannot mount $path"
    mount -t overlay overlay -o lowerdir=/rw/extra$n/lower,upperdir=/rw/extra$n/upper,workdir=/rw/extra$n/work "/new$path" || fail "cannot overlay $path"
  done < /new${GUEST_RUN_DIR}/shares
fi
mount --move /proc /new/proc
mount --move /sys /new/sys
mount --move /dev /new/dev
echo ${BOOT_MARKER}
# The root's own shell, not busybox's: busybox's shell runs its applets (ip, modprobe) before the root's tools.
exec chroot /new /bin/sh ${GUEST_RUN_DIR}/guest.sh
`;
}

const SIGNATURE_MAGIC = Buffer.from('~Module signature appended~\n');
/** struct module_signature: algorithm, hash, id type, signer and key-id lengths, 3 padding bytes, then the big-endian signature length. */
const SIGNATURE_INFO_BYTES = 12;

/**
 * A module without its appended signature. The kernel checks a signature it finds (RSA under emulation:
 * a tenth of a second for the boot modules) even when it does not insist on one; unsigned, it only
 * notes a taint. The guest is a throwaway test machine booting Debian's own files.
 */
export function withoutSignature(module: Buffer): Buffer {
  if (module.length < SIGNATURE_MAGIC.length + SIGNATURE_INFO_BYTES) return module;
  if (!module.subarray(module.length - SIGNATURE_MAGIC.length).equals(SIGNATURE_MAGIC)) return module;
  const info = module.length - SIGNATURE_MAGIC.length - SIGNATURE_INFO_BYTES;
  const signatureBytes = module.readUInt32BE(info + 8);
  const end = info - signatureBytes;
  return end > 0 ? module.subarray(0, end) : module;
}

/** A 64-bit ELF without a PT_INTERP program header needs no loader: it runs alone in the initramfs. */
export function isStaticElf(image: Buffer): boolean {
  const headers = programHeaders(image);
  return headers !== undefined && !headers.some((h) => h.type === PT_INTERP);
}

async function findStaticBusybox(): Promise<string> {
  for (const candidate of BUSYBOX_CANDIDATES) {
    if (!existsSync(candidate)) continue;
    if (isStaticElf(await readFile(candidate))) return candidate;
  }
  throw new VmError('the microVM needs a static busybox: apt-get install busybox-static');
}

/** Builds (or reuses) the initramfs for a kernel and the modules its machine needs before the root is visible; returns its path. */
export async function ensureInitramfs(kernel: Kernel, bootModules: readonly string[]): Promise<string> {
  const modulesDep = await readFile(join(kernel.modulesRoot, kernel.version, 'modules.dep'), 'utf8');
  const modules = loadOrder(modulesDep, bootModules);
  const init = initScript(loadRounds(modulesDep, modules));
  const key = createHash('sha256')
    .update(kernel.version + kernel.modulesRoot + init + INITRAMFS_LAYOUT)
    .digest('hex')
    .slice(0, 12);
  const image = join(cacheDir(), `initramfs-${kernel.version}-${key}.cpio`);
  if (existsSync(image)) return image;
  const staging = join(cacheDir(), `initramfs-staging-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'bin'), { recursive: true });
  await mkdir(join(staging, 'modules'));
  await copyFile(await findStaticBusybox(), join(staging, 'bin', 'busybox'));
  for (const applet of INIT_APPLETS) await symlink('busybox', join(staging, 'bin', applet));
  for (const file of modules) {
    await writeFile(join(staging, 'modules', basename(file)), withoutSignature(await readFile(join(kernel.modulesRoot, kernel.version, file))));
  }
  await writeFile(join(staging, 'init'), init);
  await chmod(join(staging, 'init'), 0o755);
  const files = ['.', 'bin', 'bin/busybox', ...INIT_APPLETS.map((a) => `bin/${a}`), 'init', 'modules', ...modules.map((f) => `modules/${basename(f)}`)];
  const result = await new ProcessRunner().run(['cpio', '-o', '-H', 'newc', '--quiet', '-O', `${image}.partial`], {
    cwd: staging,
    input: files.join('\n') + '\n',
  });
  if (result.exitCode !== 0) throw new VmError(`building the initramfs failed (package cpio): ${result.stderr.trim()}`);
  await rename(`${image}.partial`, image);
  await rm(staging, { recursive: true, force: true });
  return image;
}
