/** The resident guest this process was pointed at (LVSLAB_GUEST=SOCKET, from `lvslab vm --serve SOCKET`), linked once. */
import { GuestLink, connectGuest } from './guest-link.js';

let linked: { path: string; link: GuestLink } | undefined;

export function residentGuest(env: NodeJS.ProcessEnv = process.env): { path: string; link: GuestLink } | undefined {
  const path = env.LVSLAB_GUEST;
  if (!path) return undefined;
  if (linked?.path !== path) linked = { path, link: connectGuest(path) };
  return linked;
}
