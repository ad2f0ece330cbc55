/**
 * The throughput benchmark's load generator, run inside a client's namespace
 * (`ip netns exec <lab>-client node load-client.js SPEC`). Keeps `connections` TCP downloads open
 * through the VIP for `seconds`, each asking a real server for more bytes than it can send in that
 * time, and counts only the bytes received inside a window given in wall-clock time, so that the
 * clients of one run (started a little apart) measure the same seconds; what comes before the window
 * is warm-up (TCP slow start, the scheduler's first picks). Prints one JSON line.
 */
import { connect, type Socket } from 'node:net';

export interface LoadSpec {
  vip: string;
  port: number;
  connections: number;
  /** The measuring window, in milliseconds since the epoch (Date.now()). */
  windowStart: number;
  windowEnd: number;
}

export interface LoadResult {
  /** Bytes received inside the measuring window. */
  bytes: number;
  seconds: number;
  /** Downloads that ended with an error (a healthy lab has none). */
  errors: number;
  /** Which real server answered each connection (from the service's first line), counted. */
  servers: Record<string, number>;
  /** Milliseconds this client started after its window opened (its downloads had no warm-up): the figure is not one. */
  lateMs: number;
}

/** Far more than any link of the lab carries in a window: a download never ends by itself. */
const ENDLESS_BYTES = 1 << 30;

function measure(spec: LoadSpec): Promise<LoadResult> {
  const lateMs = Math.max(0, Date.now() - spec.windowStart);
  const sockets = new Set<Socket>();
  const servers: Record<string, number> = {};
  let counting = false;
  let stopped = false;
  let bytes = 0;
  let errors = 0;
  const open = (): void => {
    if (stopped) return;
    const socket = connect({ host: spec.vip, port: spec.port });
    let head = '';
    let named = false;
    sockets.add(socket);
    socket.on('connect', () => socket.write(`GET /?bytes=${ENDLESS_BYTES} HTTP/1.0\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      if (counting) bytes += chunk.length;
      if (named || head.length > 4096) return;
      head += chunk.toString('latin1');
      const node = /^node=(\S+)/m.exec(head)?.[1];
      if (node) {
        servers[node] = (servers[node] ?? 0) + 1;
        named = true;
      }
    });
    socket.on('error', () => {
      if (!stopped) errors++;
    });
    socket.on('close', () => {
      sockets.delete(socket);
      if (!stopped) setTimeout(open, 50); // a download that ended early is replaced
    });
  };
  for (let i = 0; i < spec.connections; i++) open();
  return new Promise((resolve) => {
    let started = 0;
    setTimeout(
      () => {
        counting = true;
        started = Date.now();
      },
      Math.max(0, spec.windowStart - Date.now()),
    );
    setTimeout(
      () => {
        counting = false;
        stopped = true;
        // Timers fire late under load: the window is what was actually counted.
        const seconds = (Date.now() - started) / 1000;
        for (const socket of sockets) socket.destroy();
        resolve({ bytes, seconds, errors, servers, lateMs });
      },
      Math.max(0, spec.windowEnd - Date.now()),
    );
  });
}

// `--warm-up`: start and end, so that the next start finds Node and this file in the guest's page cache.
if (process.argv[1]?.endsWith('load-client.js') && process.argv[2] !== '--warm-up') {
  measure(JSON.parse(process.argv[2] ?? '{}') as LoadSpec).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
