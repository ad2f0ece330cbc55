/**
 * The host's end of a resident guest: requests go out as lines on a socket (the broker's, see serve.ts)
 * and each promise settles with the agent's answer of the same id. When the guest or the broker goes
 * away, every waiting request fails with a VmError (exit 125), never a hang.
 */
import { connect, type Socket } from 'node:net';
import { VmError } from '../vm/vm-error.js';
import { lineReader, type GuestAnswers, type GuestRequest, type Reply } from './protocol.js';

type Waiting = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** Both ends of a channel to an agent: a socket, or a child process's stdout and stdin. */
export interface Wire {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Whether an idle channel keeps this process alive (a socket can be told). */
  hold?: (busy: boolean) => void;
}

export function socketWire(socket: Socket): Wire {
  return { input: socket, output: socket, hold: (busy) => (busy ? socket.ref() : socket.unref()) };
}

export class GuestLink {
  private readonly waiting = new Map<string, Waiting>();
  private next = 0;
  private gone?: VmError;

  constructor(
    private readonly wire: Wire,
    where: string,
  ) {
    wire.input.on(
      'data',
      lineReader((text) => this.settle(JSON.parse(text) as Reply)),
    );
    wire.input.on('error', (error: Error) => this.fail(`the resident microVM at ${where} cannot be reached: ${error.message}`));
    wire.input.on('close', () => this.fail(`the resident microVM at ${where} stopped`));
    wire.input.on('end', () => this.fail(`the resident microVM at ${where} stopped`));
    // An idle link must not keep a finished lvslab process alive.
    wire.hold?.(false);
  }

  ask<K extends GuestRequest['op']>(request: Extract<GuestRequest, { op: K }>): Promise<GuestAnswers[K]> {
    if (this.gone) return Promise.reject(this.gone);
    const id = String(++this.next);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.wire.hold?.(true);
      this.wire.output.write(`${JSON.stringify({ ...request, id })}\n`);
    });
  }

  close(): void {
    this.wire.output.end();
  }

  private settle(reply: Reply): void {
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.wire.hold?.(false);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(new Error(reply.error));
  }

  private fail(why: string): void {
    this.gone ??= new VmError(why);
    for (const waiting of this.waiting.values()) waiting.reject(this.gone);
    this.waiting.clear();
  }
}

/** A link to the broker listening at this socket path. */
export function connectGuest(path: string): GuestLink {
  return new GuestLink(socketWire(connect(path)), path);
}
