/**
 * The naming scheme, in one place (documented in docs/ARCHITECTURE.md):
 *   node namespace      <lab>-<node>          e.g. dr-rs1   (`ip netns exec dr-rs1 ...` works)
 *   switch namespace    <lab>-switch          holds the lab's bridges, so the root namespace gains nothing
 *   bridge              br-<network>          inside the switch namespace
 *   node interface      eth<i>                i-th attachment of the node, inside its namespace
 *   bridge-side peer    <node>-eth<i>         inside the switch namespace
 *   ownership mark      alias of `lo` in every namespace the lab creates: lvslab:<lab>:<node>:<plan hash>
 *   run folder          /run/lvslab/<lab>/<node>/   files of a node's daemons (keepalived.conf, pid files, log)
 */

export const SWITCH_NODE = 'switch';
/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;
export const LAB_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const NODE_NAME_PATTERN = /^[a-z][a-z0-9]*$/;
export const NETWORK_NAME_PATTERN = /^[a-z][a-z0-9]*$/;
/** `<node>-eth<i>` must fit in 15 bytes with i < 10. */
export const NODE_NAME_MAX = IFNAME_MAX - '-eth0'.length;
/** `br-<network>` must fit in 15 bytes. */
export const NETWORK_NAME_MAX = IFNAME_MAX - 'br-'.length;
/** Namespace names become file names under /run/netns; keep them short and readable. */
export const LAB_NAME_MAX = 32;
export const MAX_INTERFACES_PER_NODE = 10;

export function namespaceOf(lab: string, node: string): string {
  return `${lab}-${node}`;
}

export function switchNamespaceOf(lab: string): string {
  return namespaceOf(lab, SWITCH_NODE);
}

/** Where lvslab keeps what must outlive one command: running labs' plans, intent records, daemons' files. */
export const STATE_DIR = '/run/lvslab';

/** A lab's own folder under the state folder; `down` removes it with the lab. */
export function labRunDir(lab: string, stateDir = STATE_DIR): string {
  return `${stateDir}/${lab}`;
}

export function bridgeOf(network: string): string {
  return `br-${network}`;
}

export function interfaceName(index: number): string {
  return `eth${index}`;
}

export function peerName(node: string, index: number): string {
  return `${node}-eth${index}`;
}

const MARK_PREFIX = 'lvslab';

export interface Mark {
  lab: string;
  node: string;
  planHash: string;
}

/** The ownership mark set as the alias of `lo` in each namespace the lab creates. */
export function markOf(mark: Mark): string {
  return `${MARK_PREFIX}:${mark.lab}:${mark.node}:${mark.planHash}`;
}

/** Reads a mark back; anything else (no alias, someone else's alias) is not ours. */
export function parseMark(alias: string | undefined): Mark | undefined {
  if (!alias) return undefined;
  const parts = alias.trim().split(':');
  if (parts.length !== 4 || parts[0] !== MARK_PREFIX) return undefined;
  const [, lab, node, planHash] = parts;
  if (!LAB_NAME_PATTERN.test(lab) || !(NODE_NAME_PATTERN.test(node) || node === SWITCH_NODE)) return undefined;
  return { lab, node, planHash };
}
