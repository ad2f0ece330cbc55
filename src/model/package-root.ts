import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The checkout or installed package this code runs from (this file is dist/src/model/package-root.js). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The real servers' service (src/apply/real-server-service.cts): one process per real server. It and the probe are
 * CommonJS: under emulation a CommonJS entry starts about 80 ms sooner than an ES module (0.23 s against 0.31 s).
 */
export const SERVICE_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'apply', 'real-server-service.cjs');
/** How the plan runs it: this Node, that file. */
export const SERVICE_COMMAND: readonly string[] = [process.execPath, SERVICE_ENTRY];
export { SERVICE_PROGRAM, SERVICE_READY } from './service-words.cjs';

/** The verifier's reads of every node (`ip -batch`: links, default route), one ip process a namespace. */
export const NODE_READOUTS = join(PACKAGE_ROOT, 'src', 'verify', 'node-readouts.ip');

/** The compiled CLI, for running lvslab inside a namespace or the microVM. */
export const CLI_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js');

export const PROBE_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'verify', 'probe.cjs');
/** The throughput benchmark's load generator, run inside a client's namespace. */
export const LOAD_CLIENT_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'bench', 'load-client.js');

/** The resident guest's agent (src/guest/agent.ts), run inside the microVM. */
export const AGENT_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'guest', 'agent.js');
