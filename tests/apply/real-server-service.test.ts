import test from 'ava';
import { execFileSync } from 'node:child_process';
import { SERVICE_SCRIPT } from '../../src/model/package-root.js';

/** The service script as socat runs it: the request on stdin, socat's variables in the environment. */
function serve(request: string, protocol: 'tcp' | 'udp' = 'tcp'): string {
  return execFileSync('sh', [SERVICE_SCRIPT, 'rs1', protocol, '10.10.0.100', '80'], {
    input: request,
    env: { PATH: process.env.PATH, SOCAT_SOCKADDR: '10.10.0.100', SOCAT_SOCKPORT: '80', SOCAT_PEERADDR: '198.51.100.10', SOCAT_PEERPORT: '40000' },
  }).toString('latin1');
}

const split = (response: string) => {
  const end = response.indexOf('\r\n\r\n');
  return { head: response.slice(0, end), body: response.slice(end + 4) };
};

test('an HTTP GET is answered with a Content-Length that is the body it sends, padding included', (t) => {
  for (const bytes of [0, 1, 4096, 100_000]) {
    const { head, body } = split(serve(`GET /?bytes=${bytes} HTTP/1.1\r\nHost: 10.10.0.100\r\nAccept: */*\r\n\r\n`));
    t.regex(head, /^HTTP\/1\.0 200 OK\r\n/);
    t.regex(head, /\r\nX-Lvslab-Node: rs1\r\n/);
    t.is(Number(/\r\nContent-Length: (\d+)/.exec(head)?.[1]), body.length, `bytes=${bytes}`);
    t.true(body.startsWith('node=rs1 peer=198.51.100.10:40000 local=10.10.0.100:80\n'));
    t.is(body.length, 'node=rs1 peer=198.51.100.10:40000 local=10.10.0.100:80\n'.length + bytes);
  }
});

test('a plain TCP line gets the identity line and its padding, no HTTP head', (t) => {
  t.is(serve('hello bytes=5\n'), 'node=rs1 peer=198.51.100.10:40000 local=10.10.0.100:80\n.....');
});

test('UDP never pads (one datagram answers one datagram)', (t) => {
  t.is(serve('probe bytes=500\n', 'udp'), 'node=rs1 peer=198.51.100.10:40000 local=10.10.0.100:80\n');
});
