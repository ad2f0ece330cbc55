import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The checkout or installed package this code runs from (this file is dist/src/model/package-root.js). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The real servers' service script, as the plan names it. */
export const SERVICE_SCRIPT = join(PACKAGE_ROOT, 'src', 'apply', 'real-server-service.sh');

/** The compiled CLI, for running lvslab inside a namespace or the microVM. */
export const CLI_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'main.js');

export const PROBE_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'verify', 'probe.js');
/** The throughput benchmark's load generator, run inside a client's namespace. */
export const LOAD_CLIENT_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'bench', 'load-client.js');

/** The resident guest's agent (src/guest/agent.ts), run inside the microVM. */
export const AGENT_ENTRY = join(PACKAGE_ROOT, 'dist', 'src', 'guest', 'agent.js');
