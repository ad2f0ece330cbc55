/** Just enough of the ELF format to read a 64-bit image's program headers (initramfs.ts, pvh-kernel.ts). */

export interface ProgramHeader {
  type: number;
  /** Where the segment's bytes start in the file, and how many there are. */
  offset: number;
  size: number;
}

export const PT_NOTE = 4;
export const PT_INTERP = 3;

/** The program headers of a 64-bit ELF image (those that lie inside it), or undefined when it is not one. */
export function programHeaders(image: Buffer): ProgramHeader[] | undefined {
  if (image.length < 64 || image.toString('latin1', 0, 4) !== '\x7fELF' || image[4] !== 2) return undefined;
  const phoff = Number(image.readBigUInt64LE(0x20));
  const phentsize = image.readUInt16LE(0x36);
  const phnum = image.readUInt16LE(0x38);
  const headers: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 40 > image.length) break;
    headers.push({ type: image.readUInt32LE(at), offset: Number(image.readBigUInt64LE(at + 8)), size: Number(image.readBigUInt64LE(at + 32)) });
  }
  return headers;
}
