import test from 'ava';
import { readFileSync } from 'node:fs';
import { isStaticElf, loadOrder, loadRounds, withoutSignature } from '../../src/vm/initramfs.js';

const MODULES_DEP = `kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko
kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/net/9p/9pnet.ko:
kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
kernel/fs/netfs/netfs.ko:
kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/virtio/virtio_ring.ko:
kernel/fs/overlayfs/overlay.ko:
`;

test('boot modules come in dependency order, each once; built-in ones are skipped', (t) => {
  const order = loadOrder(MODULES_DEP, ['virtio_pci', '9pnet_virtio', '9p', 'overlay']).map((f) => f.split('/').pop());
  t.deepEqual(order, ['9pnet.ko', 'virtio_ring.ko', 'virtio.ko', '9pnet_virtio.ko', 'netfs.ko', 'fscache.ko', '9p.ko', 'overlay.ko']);
});

test('a static ELF is told from a dynamic one by its program headers', (t) => {
  t.false(isStaticElf(readFileSync(process.execPath)));
  t.false(isStaticElf(Buffer.from('#!/bin/sh\n')));
});

test("a module's appended signature is cut off; an unsigned module or a short file is left as it is", (t) => {
  const code = Buffer.from('\x7fELF module code and data');
  const signature = Buffer.alloc(256, 0xab);
  const info = Buffer.alloc(12);
  info.writeUInt32BE(signature.length, 8);
  const signed = Buffer.concat([code, signature, info, Buffer.from('~Module signature appended~\n')]);
  t.deepEqual(withoutSignature(signed), code);
  t.deepEqual(withoutSignature(code), code);
  const tiny = Buffer.from('~Module signature appended~\n');
  t.deepEqual(withoutSignature(tiny), tiny);
  // A length field larger than the file: nothing is cut.
  const lying = Buffer.concat([code, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), Buffer.from('~Module signature appended~\n')]);
  t.deepEqual(withoutSignature(lying), lying);
});

test('boot modules load in rounds: every dependency in an earlier round, each module once, in the order of the list within a round', (t) => {
  const order = loadOrder(MODULES_DEP, ['virtio_pci', '9pnet_virtio', '9p', 'overlay']);
  const rounds = loadRounds(MODULES_DEP, order).map((r) => r.map((f) => f.split('/').pop()));
  t.deepEqual(rounds, [
    ['9pnet.ko', 'virtio_ring.ko', 'netfs.ko', 'overlay.ko'],
    ['virtio.ko', 'fscache.ko'],
    ['9pnet_virtio.ko', '9p.ko'],
  ]);
  t.deepEqual(rounds.flat().sort(), order.map((f) => f.split('/').pop()).sort());
});
