/**
 * The service's words, on the host: what it refuses and how it fails end before any socket. What it answers is
 * tested in a namespace of its own on the lab machine (tests/e2e/labs.test.ts), with the probe and curl.
 */
import test from 'ava';
import { execa } from 'execa';
import { SERVICE_COMMAND } from '../../src/model/package-root.js';

const service = (...words: string[]) => execa(SERVICE_COMMAND[0], [...SERVICE_COMMAND.slice(1), ...words], { reject: false });

test('without a node and a listener the service exits 2 with its usage', async (t) => {
  for (const words of [[], ['rs1']]) {
    const result = await service(...words);
    t.is(result.exitCode, 2, words.join(' '));
    t.is(result.stderr, 'usage: real-server-service NODE tcp|udp:ADDRESS:PORT ...');
  }
});

test('listeners are tcp or udp, an address and a port; anything else is refused with exit 2, naming it', async (t) => {
  const refused = ['sctp:1.2.3.4:80', 'tcp:1.2.3.4', 'tcp:1.2.3.4:0', 'tcp:1.2.3.4:65536', 'tcp:host:80', 'tcp:1.2.3.256:80', 'udp:[fd00::1::2]:80'];
  for (const bad of [...refused, 'tcp:fd00::1:80']) {
    const result = await service('rs1', 'tcp:0.0.0.0:8080', bad);
    t.is(result.exitCode, 2, bad);
    t.is(result.stderr, `not a listener (tcp|udp:ADDRESS:PORT): ${bad}`);
  }
});

test('the service exits 1 with the reason when a listener cannot bind (an address it does not have)', async (t) => {
  // 192.0.2.1 (TEST-NET-1) is on no interface of this machine: the bind fails, nothing is sent anywhere.
  const result = await service('rs1', 'tcp:192.0.2.1:8080');
  t.is(result.exitCode, 1);
  t.is(result.stderr, 'real-server-service rs1: listen tcp:192.0.2.1:8080: Cannot assign requested address');
  t.is(result.stdout, '', 'no ready line');
});
