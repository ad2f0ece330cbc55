/**
 * A resident microVM for tests: `lvslab vm --serve SOCKET` started, and awaited until it says it serves at its socket.
 * The suite's lanes and the resident boot tests both start theirs here.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { CLI_ENTRY, PACKAGE_ROOT } from '../../src/model/package-root.js';

const launch = (socket: string, options: string[]) =>
  execa(process.execPath, [CLI_ENTRY, 'vm', '--serve', socket, ...options], { cwd: PACKAGE_ROOT, reject: false, stdout: 'ignore' });

export interface ResidentGuest {
  socket: string;
  broker: ReturnType<typeof launch>;
  /** What the broker has written on stderr so far. */
  said: () => string;
  /** Power the guest off (SIGTERM to the broker), wait for it, and remove the socket's folder. */
  stop: () => Promise<void>;
}

/** Extra `lvslab vm` options (`--cpus 1`, `--accel tcg`); the guest is given `upSeconds` to come up. */
export async function startResidentGuest(options: string[], upSeconds = 120): Promise<ResidentGuest> {
  const socket = join(mkdtempSync(join(tmpdir(), 'lvslab-resident-')), 'guest.sock');
  const broker = launch(socket, options);
  let said = '';
  broker.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
  const removeFolder = () => rmSync(dirname(socket), { recursive: true, force: true });
  const deadline = Date.now() + upSeconds * 1000;
  // The line the broker writes once it listens: the socket's file exists a moment before (bind, then listen), and a
  // connection in between is refused (CI run 98).
  const serving = () => said.includes(`serves lvslab at ${socket}`) && existsSync(socket);
  while (!serving() && Date.now() < deadline && broker.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  if (!serving()) {
    broker.kill('SIGKILL');
    await broker;
    removeFolder();
    throw new Error(`the resident microVM did not come up: ${said.trim() || 'no message'}`);
  }
  return {
    socket,
    broker,
    said: () => said,
    stop: async () => {
      broker.kill('SIGTERM');
      await broker;
      removeFolder();
    },
  };
}
