/**
 * The kernel as an uncompressed ELF with a PVH entry point: qemu jumps straight into it, so neither
 * firmware nor the kernel's own decompressor runs under emulation (they took about 3 s of a 7 s boot).
 * Debian's bzImage carries an xz stream; it is unpacked once per kernel into the cache.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessRunner } from '../apply/runner.js';
import { cacheDir, type Kernel } from './kernel.js';
import { programHeaders, PT_NOTE } from './elf.js';

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
/** XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit entry point a PVH loader (qemu's -kernel) jumps to. */
const XEN_ELFNOTE_PHYS32_ENTRY = 18;

/** Where the xz stream inside a bzImage starts, or -1. */
export function xzStreamOffset(image: Buffer): number {
  return image.indexOf(XZ_MAGIC);
}

/** Whether a 64-bit ELF image announces a PVH entry (a "Xen" note of type 18). */
export function hasPvhEntry(elf: Buffer): boolean {
  for (const segment of (programHeaders(elf) ?? []).filter((h) => h.type === PT_NOTE)) {
    let at = segment.offset;
    const end = Math.min(segment.offset + segment.size, elf.length);
    while (at + 12 <= end) {
      const nameSize = elf.readUInt32LE(at);
      const descSize = elf.readUInt32LE(at + 4);
      const type = elf.readUInt32LE(at + 8);
      const name = elf.toString('latin1', at + 12, at + 12 + nameSize).replace(/\0+$/, '');
      if (name === 'Xen' && type === XEN_ELFNOTE_PHYS32_ENTRY) return true;
      at += 12 + align4(nameSize) + align4(descSize);
    }
  }
  return false;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** The cache entry of one kernel image: a change of the file (path, size, time) is another entry. */
async function cacheKey(kernel: Kernel): Promise<string> {
  const info = await stat(kernel.vmlinuz);
  return createHash('sha256').update(`${kernel.vmlinuz}\0${info.size}\0${info.mtimeMs}`).digest('hex').slice(0, 12);
}

/**
 * The PVH image of this kernel, unpacked on first use; undefined when the kernel has none (not xz, no
 * PVH entry): the caller then boots the bzImage through firmware. The answer is cached either way.
 */
export async function pvhImage(kernel: Kernel): Promise<string | undefined> {
  const base = join(cacheDir(), `vmlinux-${kernel.version}-${await cacheKey(kernel)}`);
  if (existsSync(base)) return base;
  const refused = `${base}.no-pvh`;
  if (existsSync(refused)) return undefined;
  const image = await readFile(kernel.vmlinuz);
  const offset = xzStreamOffset(image);
  const partial = `${base}.${process.pid}`;
  try {
    if (offset >= 0) {
      await writeFile(`${partial}.xz`, image.subarray(offset));
      // --single-stream ignores what follows the stream in the bzImage.
      const result = await new ProcessRunner().run(['xz', '--decompress', '--single-stream', '--force', `${partial}.xz`]);
      // Without xz (exit 127) nothing is concluded about the kernel: the next run tries again.
      if (result.exitCode === 127) return undefined;
      if (result.exitCode === 0 && hasPvhEntry(await readFile(partial))) {
        await rename(partial, base);
        return base;
      }
    }
    await writeFile(refused, offset >= 0 ? 'unpacked, but no PVH entry\n' : 'no xz stream in the image\n');
    return undefined;
  } finally {
    await rm(`${partial}.xz`, { force: true });
    await rm(partial, { force: true });
  }
}
