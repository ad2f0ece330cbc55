/**
 * The resident guest's broker (`lvslab vm --serve SOCKET`): boots the microVM with the agent in it and
 * listens on a unix socket. Any number of lvslab processes connect (a test run and the CLIs it starts);
 * each client's request ids get its own prefix on the way to the agent, and answers go back to whoever
 * asked. A client that leaves has its captures stopped. The socket appears once the agent answers.
 */
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { AGENT_SCRIPT } from '../model/package-root.js';
import { hotFiles } from '../vm/hot-files.js';
import { runInVm, type VmOutcome, type VmRequest } from '../vm/launch.js';
import { AGENT_READY, lineReader, type Envelope, type Reply } from './protocol.js';

/** Where the lvslab processes using a resident guest keep their own records (plans, intents): beside its socket. */
export function guestStateDir(socketPath: string): string {
  return `${socketPath}.state`;
}

/**
 * The broker's routing: clients of `server` talk to the agent through `send`; `receive` takes the
 * agent's output. `ready` is called once the agent says it runs.
 */
export function createBroker(send: (line: string) => void, ready: () => void): { server: Server; receive: (chunk: Buffer) => void; stop: () => void } {
  const clients = new Map<string, Socket>();
  let count = 0;
  const toGuest = (message: Envelope) => send(`${JSON.stringify(message)}\n`);
  const server = createServer((client) => {
    const owner = `c${++count}`;
    clients.set(owner, client);
    client.on(
      'data',
      lineReader((text) => {
        const message = JSON.parse(text) as Envelope;
        toGuest({ ...message, id: `${owner}:${message.id}` });
      }),
    );
    client.on('error', () => undefined);
    client.on('close', () => {
      clients.delete(owner);
      toGuest({ op: 'release', owner, id: `${owner}:release` });
    });
  });
  const receive = lineReader((text) => {
    const reply = JSON.parse(text) as Reply;
    if (reply.id === AGENT_READY.id) return ready();
    const cut = reply.id.indexOf(':');
    clients.get(reply.id.slice(0, cut))?.write(`${JSON.stringify({ ...reply, id: reply.id.slice(cut + 1) })}\n`);
  });
  const stop = () => {
    server.close();
    for (const client of clients.values()) client.destroy();
  };
  return { server, receive, stop };
}

/** Serves the guest until it stops (or this process is signalled); the VM's outcome. */
export async function serveGuest(socketPath: string, request: Omit<VmRequest, 'argv' | 'stdout' | 'channel'>, onReady: () => void): Promise<VmOutcome> {
  let channel: Socket | undefined;
  const { server, receive, stop } = createBroker(
    (line) => channel?.write(line),
    () => {
      rmSync(socketPath, { force: true });
      server.listen(socketPath, onReady);
    },
  );
  // A socket that cannot be made (no permission, say): said in words, and the microVM stopped with this process.
  server.on('error', (error) => {
    process.stderr.write(`lvslab vm --serve: cannot listen on ${socketPath}: ${error.message}\n`);
    process.kill(process.pid, 'SIGTERM');
  });
  const stdout = new Writable({ write: (chunk, _enc, next) => (receive(chunk as Buffer), next()) });
  await rm(guestStateDir(socketPath), { recursive: true, force: true });
  // A signal ends this process from inside runInVm: the socket and the records go with it.
  const tidy = () => {
    rmSync(socketPath, { force: true });
    rmSync(guestStateDir(socketPath), { recursive: true, force: true });
  };
  process.once('exit', tidy);
  try {
    return await runInVm({
      ...request,
      argv: ['perl', AGENT_SCRIPT],
      hotFiles: request.root ? undefined : await hotFiles(),
      stdout,
      channel: (socket) => {
        channel = socket;
        // A guest that went away ends the run through runInVm; a write to it meanwhile is not an error of its own.
        socket.on('error', () => undefined);
      },
    });
  } finally {
    stop();
    process.off('exit', tidy);
    tidy();
  }
}
