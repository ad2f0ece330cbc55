/** The modes by name: every stage asks `lvsMode(lab.mode)` for facts and fragments instead of branching on the name. */
import type { Mode } from '../model/lab.js';
import { dr } from './dr.js';
import { fullnat } from './fullnat.js';
import type { LvsMode } from './lvs-mode.js';
import { nat } from './nat.js';
import { tun } from './tun.js';

export const LVS_MODES: Readonly<Record<Mode, LvsMode>> = { nat, dr, tun, fullnat };

export function lvsMode(name: Mode): LvsMode {
  return LVS_MODES[name];
}

/** keepalived's lb_kind for each ipvsadm forwarding flag (FULLNAT is NAT plus its source NAT rule). */
export const KEEPALIVED_LB_KIND = { '-m': 'NAT', '-g': 'DR', '-i': 'TUN' } as const;

export type { Hop, LvsMode, ModeFacts, PathPlaces } from './lvs-mode.js';
export { portRules, realServerRules } from './mode-rules.js';
