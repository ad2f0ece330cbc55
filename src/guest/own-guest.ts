/**
 * A microVM of this lvslab process's own, driven as a resident guest: booted for one verb (`--runner
 * vm`, or a host without IPVS), the verb's work runs here with the guest as its lab machine, and the
 * guest powers off after. The verb's Node code never runs under emulation.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VmRequest } from '../vm/launch.js';
import { VmError } from '../vm/vm-error.js';
import { residentGuest } from './resident.js';
import { serveGuest } from './serve.js';

export async function withOwnGuest<T>(request: Omit<VmRequest, 'argv' | 'stdout' | 'channel'>, work: () => Promise<T>): Promise<T> {
  const socket = join(tmpdir(), `lvslab-guest-${process.pid}-${Date.now()}.sock`);
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const served = serveGuest(socket, request, markReady);
  const stopped = served.then((outcome) => {
    throw new VmError(`the microVM stopped (status ${outcome.exitCode}) before lvslab's work in it ended`);
  });
  stopped.catch(() => undefined); // raced below; never left unhandled
  await Promise.race([ready, stopped]);
  request.log("the microVM is up: lvslab runs on this host, the labs' commands run in the guest");
  const previous = process.env.LVSLAB_GUEST;
  process.env.LVSLAB_GUEST = socket;
  try {
    return await Promise.race([work(), stopped]);
  } finally {
    await residentGuest()
      ?.link.ask({ op: 'shutdown' })
      .catch(() => undefined);
    if (previous === undefined) delete process.env.LVSLAB_GUEST;
    else process.env.LVSLAB_GUEST = previous;
    await served.catch(() => undefined);
  }
}
