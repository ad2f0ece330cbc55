import test from 'ava';
import { readFileSync } from 'node:fs';
import { isStaticElf, loadOrder } from '../../src/vm/initramfs.js';

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
