/**
 * The client-side probe: run inside a client's namespace (`ip netns exec <lab>-client node probe.cjs SPEC`),
 * it makes every request of the spec from fresh source ports and prints one JSON result per request.
 * One process for all requests: starting node costs 0.2-0.3 s in the microVM under emulation.
 */
import { createSocket } from 'node:dgram';
import { existsSync, writeFileSync } from 'node:fs';
import { connect, isIPv6 } from 'node:net';

export type { ProbeAnswer } from '../model/observation.js';
import type { ProbeAnswer } from '../model/observation.js';

export interface ProbeTarget {
  protocol: 'tcp' | 'udp';
  vip: string;
  port: number;
  count: number;
  /** Padding bytes asked of the real server (TCP). */
  bytes?: number;
}

/** A healthy answer takes well under a second even under emulation; a broken lab should not cost minutes. */
const TIMEOUT_MS = 2500;

/** Parses the service's first line: `node=rs1 peer=CIP:port local=VIP:port`. */
export function parseServiceLine(text: string): { node?: string; peer?: string; local?: string } {
  const line = text.split('\n').find((l) => l.startsWith('node=')) ?? '';
  const field = (name: string) => new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1];
  return { node: field('node'), peer: field('peer'), local: field('local') };
}

function tcpRequest(t: ProbeTarget, timeoutMs = TIMEOUT_MS): Promise<ProbeAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: t.vip, port: t.port });
    const done = (error?: string) => {
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const line = parseServiceLine(text);
      const ok = !error && line.node !== undefined;
      resolve({
        protocol: 'tcp',
        target: `${t.vip}:${t.port}`,
        ok,
        node: line.node,
        seenPeer: line.peer,
        seenLocal: line.local,
        replyFrom: `${socket.remoteAddress ?? t.vip}:${socket.remotePort ?? t.port}`,
        bytes: chunks.reduce((n, c) => n + c.length, 0),
        error: error ?? (ok ? undefined : 'no answer line'),
        ms: Date.now() - started,
      });
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.on('connect', () => socket.write(`bytes=${t.bytes ?? 0}\n`));
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => done());
    socket.on('error', (e) => done(e.message));
  });
}

function udpRequest(t: ProbeTarget): Promise<ProbeAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(t.vip) ? 'udp6' : 'udp4');
    const finish = (answer: Omit<ProbeAnswer, 'protocol' | 'target' | 'ms'>) => {
      clearTimeout(timer);
      socket.close();
      resolve({ protocol: 'udp', target: `${t.vip}:${t.port}`, ms: Date.now() - started, ...answer });
    };
    const timer = setTimeout(() => finish({ ok: false, error: `no answer within ${TIMEOUT_MS} ms` }), TIMEOUT_MS);
    // Unconnected on purpose: a reply from any source is received and its source recorded.
    socket.on('message', (message, from) => {
      const line = parseServiceLine(message.toString('latin1'));
      finish({
        ok: line.node !== undefined,
        node: line.node,
        seenPeer: line.peer,
        seenLocal: line.local,
        replyFrom: `${from.address}:${from.port}`,
        bytes: message.length,
      });
    });
    socket.on('error', (e) => finish({ ok: false, error: e.message }));
    socket.bind(0, () => socket.send('bytes=0\n', t.port, t.vip));
  });
}

export async function probe(targets: ProbeTarget[]): Promise<ProbeAnswer[]> {
  const answers: ProbeAnswer[] = [];
  for (const t of targets) {
    for (let i = 0; i < t.count; i++) answers.push(await (t.protocol === 'tcp' ? tcpRequest(t) : udpRequest(t)));
  }
  return answers;
}

/** A request every `everyMs` for `forMs`, each on its own (a lost one does not hold up the next); answers carry when they were sent. */
export interface TimelineSpec {
  target: ProbeTarget;
  everyMs: number;
  /** At most this long... */
  forMs: number;
  timeoutMs: number;
  /** ...and until this file exists; the prober creates `startedFile` once it runs (Node starts slowly under emulation). */
  stopFile?: string;
  startedFile?: string;
}

export async function timeline(spec: TimelineSpec): Promise<Array<ProbeAnswer & { at: number }>> {
  const pending: Array<Promise<ProbeAnswer & { at: number }>> = [];
  const end = Date.now() + spec.forMs;
  if (spec.startedFile) writeFileSync(spec.startedFile, `${process.pid}\n`);
  while (Date.now() < end && !(spec.stopFile && existsSync(spec.stopFile))) {
    const at = Date.now();
    pending.push(tcpRequest(spec.target, spec.timeoutMs).then((answer) => ({ ...answer, at })));
    await new Promise((resolve) => setTimeout(resolve, spec.everyMs));
  }
  return Promise.all(pending);
}

if (require.main === module) {
  if (process.argv[2] === '--timeline') {
    timeline(JSON.parse(process.argv[3]) as TimelineSpec).then((answers) => process.stdout.write(JSON.stringify(answers) + '\n'));
  } else {
    const targets = JSON.parse(process.argv[2] ?? '[]') as ProbeTarget[];
    probe(targets).then((answers) => process.stdout.write(JSON.stringify(answers) + '\n'));
  }
}
