/** `lvslab vm`: run a command (or a shell) in the IPVS microVM, or keep one running for other lvslab processes (--serve). */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fetchDefaultKernel } from '../vm/kernel.js';
import { serveGuest } from '../guest/serve.js';
import { parseVerbArgs, UsageError } from './args.js';
import { log, requestFromOptions, runWithVmOptions, VM_OPTIONS, VM_USAGE } from './vm-options.js';

/** A week: setTimeout's limit is about 24 days, and no lab session is longer. */
const SERVE_FOREVER_SEC = 7 * 24 * 3600;

const USAGE = `lvslab vm ${VM_USAGE} [--fetch-kernel] [--shell | --serve SOCKET | -- CMD...]`;

export async function vmVerb(args: string[]): Promise<number> {
  const { values, rest } = parseVerbArgs(
    args,
    { ...VM_OPTIONS, shell: { type: 'boolean' }, serve: { type: 'string' }, 'fetch-kernel': { type: 'boolean' } },
    USAGE,
  );
  if (values['fetch-kernel']) {
    await fetchDefaultKernel(log);
    if (!values.shell && values.serve === undefined && rest.length === 0) return 0;
  }
  const modes = [values.shell === true, values.serve !== undefined, rest.length > 0].filter(Boolean).length;
  if (modes !== 1) throw new UsageError(`lvslab vm needs one of --shell, --serve SOCKET or -- CMD...\nusage: ${USAGE}`);
  if (typeof values.serve === 'string') {
    const socket = values.serve;
    if (!existsSync(dirname(resolve(socket)))) throw new UsageError(`lvslab vm --serve: the folder of ${socket} does not exist; nothing was started`);
    const request = await requestFromOptions([], values, { stdout: process.stdout, stderr: process.stderr });
    // A guest kept for labs lives until it is stopped; a time limit only when asked for.
    if (!args.some((a) => a === '--timeout' || a.startsWith('--timeout='))) request.timeoutSec = SERVE_FOREVER_SEC;
    const outcome = await serveGuest(socket, request, () =>
      log(`the microVM serves lvslab at ${socket}: run lvslab with LVSLAB_GUEST=${socket} to build labs in it; stop this process to power it off`),
    );
    return outcome.exitCode;
  }
  const outcome = await runWithVmOptions(values.shell ? undefined : rest, values, { stdout: process.stdout, stderr: process.stderr });
  return outcome.exitCode;
}
