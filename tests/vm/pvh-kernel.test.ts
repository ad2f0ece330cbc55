import test from 'ava';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasPvhEntry, pvhImage, xzStreamOffset } from '../../src/vm/pvh-kernel.js';

/** A minimal 64-bit ELF with one PT_NOTE segment holding the given notes. */
function elfWithNotes(notes: { name: string; type: number; desc: Buffer }[]): Buffer {
  const align = (n: number) => (n + 3) & ~3;
  const body = Buffer.concat(
    notes.map(({ name, type, desc }) => {
      const nameBytes = Buffer.from(`${name}\0`);
      const note = Buffer.alloc(12 + align(nameBytes.length) + align(desc.length));
      note.writeUInt32LE(nameBytes.length, 0);
      note.writeUInt32LE(desc.length, 4);
      note.writeUInt32LE(type, 8);
      nameBytes.copy(note, 12);
      desc.copy(note, 12 + align(nameBytes.length));
      return note;
    }),
  );
  const header = Buffer.alloc(64 + 56);
  header.write('\x7fELF', 0, 'latin1');
  header[4] = 2; // 64-bit
  header.writeBigUInt64LE(64n, 0x20); // program headers right after the ELF header
  header.writeUInt16LE(56, 0x36);
  header.writeUInt16LE(1, 0x38);
  header.writeUInt32LE(4, 64); // PT_NOTE
  header.writeBigUInt64LE(BigInt(header.length), 64 + 8); // p_offset
  header.writeBigUInt64LE(BigInt(body.length), 64 + 32); // p_filesz
  return Buffer.concat([header, body]);
}

test('a kernel ELF with a Xen PHYS32_ENTRY note can be booted without firmware; other notes, 32-bit images and non-ELF data cannot', (t) => {
  const entry = Buffer.from([0, 0, 0, 1]);
  t.true(
    hasPvhEntry(
      elfWithNotes([
        { name: 'GNU', type: 3, desc: Buffer.alloc(20) },
        { name: 'Xen', type: 18, desc: entry },
      ]),
    ),
  );
  t.false(hasPvhEntry(elfWithNotes([{ name: 'Xen', type: 6, desc: Buffer.from('linux\0') }])));
  t.false(hasPvhEntry(elfWithNotes([{ name: 'Linux', type: 18, desc: entry }])));
  const thirtyTwoBit = elfWithNotes([{ name: 'Xen', type: 18, desc: entry }]);
  thirtyTwoBit[4] = 1;
  t.false(hasPvhEntry(thirtyTwoBit));
  t.false(hasPvhEntry(Buffer.from('MZ not an ELF at all')));
  // A note segment that claims more bytes than the file has is read as far as the file goes.
  const truncated = elfWithNotes([{ name: 'Xen', type: 18, desc: entry }]);
  t.true(hasPvhEntry(Buffer.concat([truncated.subarray(0, 64 + 32), Buffer.from([0xff, 0xff, 0, 0, 0, 0, 0, 0]), truncated.subarray(64 + 40)])));
});

test('the xz stream inside a bzImage is found by its magic; an image without one says -1', (t) => {
  t.is(xzStreamOffset(Buffer.concat([Buffer.alloc(100, 0x90), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2])])), 100);
  t.is(xzStreamOffset(Buffer.alloc(100, 0x90)), -1);
});

test('a kernel without an xz stream gets no PVH image, and the answer is cached', async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'lvslab-pvh-'));
  const vmlinuz = join(cache, 'vmlinuz-test');
  writeFileSync(vmlinuz, Buffer.alloc(4096, 0x90));
  const previous = process.env.LVSLAB_CACHE;
  process.env.LVSLAB_CACHE = cache;
  try {
    const kernel = { version: 'test', vmlinuz, modulesRoot: cache };
    t.is(await pvhImage(kernel), undefined);
    t.true(readdirSync(cache).some((f) => f.startsWith('vmlinux-test-') && f.endsWith('.no-pvh')));
    t.is(await pvhImage(kernel), undefined);
  } finally {
    if (previous === undefined) delete process.env.LVSLAB_CACHE;
    else process.env.LVSLAB_CACHE = previous;
  }
});
