/**
 * The real servers' service: one process per real server (`ip netns exec <rs> node real-server-service.cjs
 * NODE tcp:ADDRESS:PORT udp:ADDRESS:PORT ...`), serving every listener of that server. Each answer is one
 * line naming who answered, the peer it saw and the address it was reached on: `node=rs1 peer=CIP:port
 * local=VIP:port`. Over TCP, "bytes=N" in the first line asks for N bytes of padding after it; an HTTP GET
 * gets a response head first, with the body's length (a body cut short is an error to the client).
 * One process, no process per request: under emulation socat forking a shell per connection cost about
 * 0.1 s of the guest's only CPU, and health checks plus a failover's 10 probes a second saturated it.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { SERVICE_PROGRAM, SERVICE_READY } from '../model/service-words.cjs';

export interface Listener {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
}

/** A connection idle this long ends: a download stalled by a failover must outlive TCP's retransmission backoff. */
const IDLE_MS = 60_000;
/** Padding is written in pieces of this size, each when the socket can take it. */
const CHUNK = Buffer.alloc(64 * 1024, '.');

/** Parses `tcp:ADDRESS:PORT`; throws on anything else. */
export function parseListener(text: string): Listener {
  // IPv6 in brackets, as ports are written after it: udp:[fd00:10::100]:80.
  const match = /^(tcp|udp):(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\]):(\d{1,5})$/.exec(text);
  if (!match || Number(match[3]) < 1 || Number(match[3]) > 65535) throw new Error(`not a listener (tcp|udp:ADDRESS:PORT): ${text}`);
  return { protocol: match[1] as Listener['protocol'], address: match[2].replace(/^\[|\]$/g, ''), port: Number(match[3]) };
}

export function identityLine(node: string, peer: string, local: string): string {
  return `node=${node} peer=${peer} local=${local}\n`;
}

/** The padding a request asks for ("bytes=N" anywhere in its first line). */
export function askedBytes(firstLine: string): number {
  const match = /bytes=(\d+)/.exec(firstLine);
  return match ? Math.min(Number(match[1]), Number.MAX_SAFE_INTEGER) : 0;
}

/** The HTTP head for a body of `length` bytes. */
export function httpHead(node: string, length: number): string {
  return `HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\nX-Lvslab-Node: ${node}\r\nConnection: close\r\n\r\n`;
}

/** Writes `bytes` of padding, then ends the socket. */
function pad(socket: Socket, bytes: number): void {
  let left = bytes;
  const more = () => {
    while (left > 0) {
      const piece = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= piece.length;
      if (!socket.write(piece)) return void socket.once('drain', more);
    }
    socket.end();
  };
  more();
}

/** One TCP connection: read the first line (and an HTTP request's headers), answer, pad, close. */
export function answerTcp(node: string, socket: Socket): void {
  let request = '';
  let answered = false;
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  const answer = () => {
    if (answered) return;
    answered = true;
    const firstLine = request.split('\n', 1)[0];
    const line = identityLine(node, `${socket.remoteAddress}:${socket.remotePort}`, `${socket.localAddress}:${socket.localPort}`);
    const bytes = askedBytes(firstLine);
    if (socket.destroyed) return;
    socket.write(firstLine.startsWith('GET ') ? httpHead(node, Buffer.byteLength(line) + bytes) + line : line);
    pad(socket, bytes);
  };
  socket.on('data', (chunk: Buffer) => {
    if (answered) return; // what a client sends after its request is not kept
    request += chunk.toString('latin1');
    const lineEnd = request.indexOf('\n');
    if (lineEnd < 0) return;
    // An HTTP request is answered once its headers have ended (an empty line); anything else at its first line.
    if (!request.startsWith('GET ') || /\r?\n\r?\n/.test(request.slice(lineEnd))) answer();
  });
  // A health check that connects and closes gets its answer too, as it would from any server.
  socket.on('end', answer);
}

function listenTcp(node: string, listener: Listener): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: true }, (socket) => answerTcp(node, socket));
    server.once('error', reject);
    // An IPv6 listener takes IPv6 alone: an IPv4 client reaching [::] would be seen as ::ffff:CIP.
    server.listen({ host: listener.address, port: listener.port, exclusive: true, ipv6Only: isIPv6(listener.address) }, () => resolve(server));
  });
}

/** A datagram gets one datagram back, from the address the socket is bound to (never padded). */
function listenUdp(node: string, listener: Listener): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(listener.address) ? 'udp6' : 'udp4', reuseAddr: true, ipv6Only: isIPv6(listener.address) });
    socket.once('error', reject);
    socket.on('message', (_message, from) => {
      socket.send(identityLine(node, `${from.address}:${from.port}`, `${listener.address}:${listener.port}`), from.port, from.address);
    });
    socket.bind(listener.port, listener.address, () => {
      socket.removeListener('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** Binds every listener (the process serves until it is killed). */
export async function serve(node: string, listeners: Listener[]): Promise<void> {
  await Promise.all(listeners.map((l) => (l.protocol === 'udp' ? listenUdp(node, l) : listenTcp(node, l))));
}

if (require.main === module) {
  process.title = SERVICE_PROGRAM;
  const [node, ...texts] = process.argv.slice(2);
  try {
    if (!node || texts.length === 0) throw new Error('usage: real-server-service NODE tcp|udp:ADDRESS:PORT ...');
    const listeners = texts.map(parseListener);
    serve(node, listeners).then(
      () => {
        // The reader may close its end once it has the line: nothing is written after it.
        process.stdout.on('error', () => undefined);
        process.stdout.write(`${SERVICE_READY}\n`);
      },
      (error: Error) => {
        process.stderr.write(`real-server-service ${node}: ${error.message}\n`);
        process.exit(1);
      },
    );
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}
