import test from 'ava';
import { execFile } from 'node:child_process';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import { answerTcp, askedBytes, parseListener } from '../../src/apply/real-server-service.cjs';
import { SERVICE_ENTRY } from '../../src/model/package-root.js';

/** A connection without a network: what the client writes goes in, what the service writes is collected. */
function connection(request: string, { close = true } = {}): Promise<string> {
  const written: Buffer[] = [];
  return new Promise((resolve) => {
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk);
        done();
      },
      final(done) {
        done();
        resolve(Buffer.concat(written).toString('latin1'));
      },
    });
    Object.assign(socket, { remoteAddress: '198.51.100.10', remotePort: 40000, localAddress: '10.10.0.100', localPort: 80, setTimeout: () => socket });
    answerTcp('rs1', socket as unknown as Socket);
    if (request) socket.push(request);
    if (close) socket.push(null);
  });
}

const LINE = 'node=rs1 peer=198.51.100.10:40000 local=10.10.0.100:80\n';

const split = (response: string) => {
  const end = response.indexOf('\r\n\r\n');
  return { head: response.slice(0, end), body: response.slice(end + 4) };
};

test('an HTTP GET is answered once its headers end, with a Content-Length that is the body it sends, padding included', async (t) => {
  for (const bytes of [0, 1, 4096, 100_000, 200_000]) {
    // The client keeps its side open (curl does): the empty line, not the end, starts the answer.
    const { head, body } = split(await connection(`GET /?bytes=${bytes} HTTP/1.1\r\nHost: 10.10.0.100\r\nAccept: */*\r\n\r\n`, { close: false }));
    t.regex(head, /^HTTP\/1\.0 200 OK\r\n/);
    t.regex(head, /\r\nX-Lvslab-Node: rs1\r\n/);
    t.is(Number(/\r\nContent-Length: (\d+)/.exec(head)?.[1]), body.length, `bytes=${bytes}`);
    t.true(body.startsWith(LINE));
    t.is(body, LINE + '.'.repeat(bytes));
  }
});

test('a plain TCP line gets the identity line and its padding, no HTTP head', async (t) => {
  t.is(await connection('hello bytes=5\n', { close: false }), `${LINE}.....`);
});

test('a connection closed without a word (a TCP health check) still gets the identity line', async (t) => {
  t.is(await connection(''), LINE);
});

test('the padding asked for is read from the first line only', (t) => {
  t.is(askedBytes('GET /?bytes=1048576 HTTP/1.1'), 1048576);
  t.is(askedBytes('probe'), 0);
});

test('listeners are tcp or udp, an IPv4 address and a port; anything else is refused', (t) => {
  t.deepEqual(parseListener('udp:10.10.0.100:53'), { protocol: 'udp', address: '10.10.0.100', port: 53 });
  for (const bad of ['sctp:1.2.3.4:80', 'tcp:1.2.3.4', 'tcp:1.2.3.4:0', 'tcp:1.2.3.4:65536', 'tcp:host:80']) t.throws(() => parseListener(bad), undefined, bad);
});

const run = promisify(execFile);

test('the service exits with the reason when a listener cannot bind (an address it does not have), and with its usage on bad words', async (t) => {
  // 192.0.2.1 (TEST-NET-1) is on no interface of this machine: the bind fails, nothing is sent anywhere.
  const failed = await run(process.execPath, [SERVICE_ENTRY, 'rs1', 'tcp:192.0.2.1:8080']).catch((e: { code: number; stderr: string }) => e);
  t.is((failed as { code: number }).code, 1);
  t.regex((failed as { stderr: string }).stderr, /^real-server-service rs1: listen EADDRNOTAVAIL: address not available 192\.0\.2\.1:8080/);
  const usage = await run(process.execPath, [SERVICE_ENTRY, 'rs1']).catch((e: { code: number; stderr: string }) => e);
  t.is((usage as { code: number }).code, 2);
  t.regex((usage as { stderr: string }).stderr, /usage: real-server-service NODE/);
});
