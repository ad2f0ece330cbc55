import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { networkTrust } from '../../src/vagrant/network-trust.js';

test("a host with local CA certificates shares their folder, and Node's extra bundle goes along", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvslab-ca-'));
  mkdirSync(join(dir, 'corp'));
  writeFileSync(join(dir, 'corp', 'egress.crt'), '-----BEGIN CERTIFICATE-----\n');
  t.deepEqual(networkTrust({ NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' }, dir), {
    shares: [dir],
    env: { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' },
  });
});

test('a host on a plain network gives the box nothing extra', (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'lvslab-ca-'));
  writeFileSync(join(empty, 'README'), 'no certificates here');
  t.deepEqual(networkTrust({}, empty), { shares: [], env: {} });
  t.deepEqual(networkTrust({}, join(empty, 'missing')), { shares: [], env: {} });
});
