/**
 * What a machine on this host's network must trust. Where the network inspects TLS with a CA of its
 * own (this workplace does), the host has that CA among its local certificates and points Node at the
 * system bundle; a box on the same network would be set up the same way, or npm could reach no registry.
 * The imitated box gets exactly that, and nothing when the host has none of it.
 */
import { existsSync, readdirSync } from 'node:fs';

/** Debian's folder of local CA certificates: `update-ca-certificates` (run when the ca-certificates package installs) adds them to the bundle. */
export const LOCAL_CA_DIR = '/usr/local/share/ca-certificates';

export interface NetworkTrust {
  /** Host folders shown in the guest at the same path. */
  shares: string[];
  env: Record<string, string>;
}

export function networkTrust(env: NodeJS.ProcessEnv = process.env, caDir = LOCAL_CA_DIR): NetworkTrust {
  const hasCertificates = existsSync(caDir) && readdirSync(caDir, { recursive: true }).some((f) => String(f).endsWith('.crt'));
  return {
    shares: hasCertificates ? [caDir] : [],
    env: env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: env.NODE_EXTRA_CA_CERTS } : {},
  };
}
