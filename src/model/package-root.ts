import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The checkout or installed package this code runs from (this file is dist/src/model/package-root.js). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The real servers' service (Perl, no module: src/apply/real-server-service.pl): one process per real server. */
export const SERVICE_SCRIPT = join(PACKAGE_ROOT, 'src', 'apply', 'real-server-service.pl');
/** How the plan runs it. */
export const SERVICE_COMMAND: readonly string[] = ['perl', SERVICE_SCRIPT];
export { SERVICE_PROGRAM, SERVICE_READY } from './service-words.js';

/** The verifier's reads of every node (`ip -batch`: links, default route), one ip process a namespace. */
export const NODE_READOUTS = join(PACKAGE_ROOT, 'src', 'verify', 'node-readouts.ip');

/** The compiled CLI, for running lvslab inside a namespace or the microVM. */
export const CLI_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js');

/** The client-side probe (Perl, no module: see probe-argv.ts), run inside a client's namespace. */
export const PROBE_SCRIPT = join(PACKAGE_ROOT, 'src', 'verify', 'probe.pl');
/** The throughput benchmark's load generator, run inside a client's namespace. */
export const LOAD_CLIENT_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'bench', 'load-client.js');

/** The resident guest's agent (Perl, no module: see agent.pl), run inside the microVM. */
export const AGENT_SCRIPT = join(PACKAGE_ROOT, 'src', 'guest', 'agent.pl');
