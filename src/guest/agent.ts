/**
 * The resident guest's agent: runs inside the microVM, reads requests from its channel (a virtio serial
 * port the host writes to) and answers them with the guest's own runner and host view. One process for
 * a whole suite stage: Node starts once under emulation, not once per lvslab command.
 */
import type { ChildProcess } from 'node:child_process';
import { openSync, writeSync } from 'node:fs';
import { ProcessRunner, startProcess, type Capture } from '../apply/runner.js';
import { LinuxHost } from '../apply/host.js';
import { Spawner } from '../apply/spawner.js';
import { SPAWNER_SCRIPT } from '../model/package-root.js';
import { AGENT_READY, lineReader, type Envelope, type GuestAnswers, type GuestRequest, type Reply } from './protocol.js';

// Under emulation `ip netns exec` costs twice what busybox's nsenter does, and Node's fork of itself twice a line to a
// resident spawner and its fork: short commands go that way (daemons and captures as before; see runner.ts, spawner.ts).
const spawner = new Spawner((dir) => startProcess(['perl', SPAWNER_SCRIPT, dir], ['pipe', 'pipe', 'inherit']));
const runner = new ProcessRunner({ netnsByBusybox: true, spawner });
const host = new LinuxHost();
const captures = new Map<string, Capture>();
/** How the agent ends (its channel may have a reader to stop first). */
let stop = () => process.exit(0);

async function answer(request: GuestRequest, id: string): Promise<GuestAnswers[GuestRequest['op']]> {
  switch (request.op) {
    case 'run':
      return runner.run(request.argv, { input: request.input, timeout: request.timeout, cwd: request.cwd });
    case 'start':
      return runner.start(request.argv, { log: request.log, ready: request.ready, readyWithinMs: request.readyWithinMs });
    case 'capture':
      captures.set(id, await runner.capture(request.argv));
      return { capture: id };
    case 'capture-stop': {
      const capture = captures.get(request.capture);
      if (!capture) throw new Error(`no capture ${request.capture} runs`);
      captures.delete(request.capture);
      return { output: await capture.stop() };
    }
    case 'namespaces':
      return host.listNamespaces();
    case 'pids-in':
      return host.pidsIn(request.namespaces);
    case 'kill':
      await host.kill(request.pid, request.signal);
      return null;
    case 'program-of':
      return (await host.programOf(request.pid)) ?? null;
    case 'modules-loaded':
      return host.modulesLoaded(request.names);
    case 'programs':
      return host.programs();
    case 'files-under':
      return host.filesUnder(request.dir);
    case 'shutdown':
      // After the answer is written (writes are synchronous); the guest script then powers off.
      setImmediate(stop);
      return null;
    case 'release':
      for (const [key, capture] of captures) {
        if (key.startsWith(`${request.owner}:`)) {
          captures.delete(key);
          await capture.stop().catch(() => undefined);
        }
      }
      return null;
  }
}

/** Answers the requests read by `onChunk`'s caller, writing each answer with `send`. */
function answering(send: (reply: Reply) => void): (chunk: Buffer) => void {
  return lineReader((text) => {
    let request: Envelope;
    try {
      request = JSON.parse(text) as Envelope;
    } catch {
      process.stderr.write(`lvslab guest agent: not a request: ${text.slice(0, 200)}\n`);
      return;
    }
    answer(request, request.id).then(
      (value) => request.op !== 'release' && send({ id: request.id, ok: true, value }),
      (error: Error) => send({ id: request.id, ok: false, error: error.message }),
    );
  });
}

/** The guest's channel: a virtio serial port, read and written through one descriptor (a port opens once). */
function servePort(port: string): void {
  const fd = openSync(port, 'r+');
  const send = (reply: Reply) => {
    const bytes = Buffer.from(`${JSON.stringify(reply)}\n`);
    for (let sent = 0; sent < bytes.length;) sent += writeSync(fd, bytes, sent);
  };
  const onLine = answering(send);
  // The port is read by a `cat` of its own: a read blocked in Node's thread pool kept exit() waiting for
  // that thread (the guest never powered off). cat ends at a read of 0 bytes (the host end not connected
  // yet): it is started again shortly.
  let reader: ChildProcess | undefined;
  const read = () => {
    reader = startProcess(['cat'], [fd, 'pipe', 'inherit']);
    reader.stdout!.on('data', onLine);
    reader.once('exit', () => reader && setTimeout(read, 20));
  };
  stop = () => {
    const last = reader;
    reader = undefined;
    last?.kill('SIGKILL');
    process.exit(0);
  };
  send(AGENT_READY);
  read();
}

/** Standard input and output as the channel: the agent's own tests run it on the host this way. */
function serveStdio(): void {
  const send = (reply: Reply) => process.stdout.write(`${JSON.stringify(reply)}\n`);
  process.stdin.on('data', answering(send));
  process.stdin.on('end', () => process.exit(0));
  send(AGENT_READY);
}

const port = process.env.LVSLAB_CHANNEL;
if (!port) {
  process.stderr.write('lvslab guest agent: LVSLAB_CHANNEL names no port (it runs inside the microVM, started by lvslab)\n');
  process.exit(2);
}
if (port === '-') serveStdio();
else servePort(port);
