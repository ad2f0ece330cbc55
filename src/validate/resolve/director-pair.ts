/**
 * Resolver 8: a VRRP director pair (`directors`). It needs keepalived (VRRP moves the VIP), one
 * shared network, and priorities that fall from the first director (the master) to the last; keepalived's
 * `vrrp` and `sync` keys need a pair. Every mode can have one (NAT and FULLNAT with a floating address); sync
 * is on by default where it keeps connections (the mode's connectionSync), and refused where it cannot.
 */
import type { Vrrp } from '../../model/lab.js';
import { lvsMode } from '../../modes/index.js';
import type { Placements } from './nodes.js';
import type { ResolveContext } from './raw.js';

/** keepalived's defaults as Debian's documentation shows them; priorities 150 and 100. */
export const VRRP_DEFAULTS = { routerId: 51, advertInterval: 1, firstPriority: 150, priorityStep: 50 } as const;

export function resolveDirectorPair({ raw, report }: ResolveContext, { director, backups }: Placements): Vrrp | undefined {
  const keepalived = typeof raw.keepalived === 'object' ? raw.keepalived : undefined;
  if (raw.directors === undefined) {
    if (keepalived?.vrrp) report(['keepalived', 'vrrp'], 'vrrp needs a director pair: set `directors: 2` (or a list of two) instead of `director`');
    if (keepalived?.sync !== undefined) report(['keepalived', 'sync'], 'sync copies connections between the directors of a pair: set `directors: 2`');
    return undefined;
  }
  if (raw.director !== undefined) report(['director'], '`director` and `directors` cannot both be set: `directors` makes a VRRP pair, `director` one director');
  if (!raw.keepalived) report(['directors'], 'a director pair needs keepalived, whose VRRP moves the VIP: add `keepalived: true`');
  const all = [director, ...backups];
  for (const b of backups) {
    if (b.network !== director.network)
      report(
        [...b.path, 'network'],
        `the directors of a pair share one network (VRRP and the VIP move on it): ${b.name} is on "${b.network}", ${director.name} on "${director.network}"`,
      );
  }
  const priorities = all.map((d, i) => d.priority ?? VRRP_DEFAULTS.firstPriority - i * VRRP_DEFAULTS.priorityStep);
  priorities.forEach((p, i) => {
    if (i > 0 && p >= priorities[i - 1])
      report(
        all[i].priority !== undefined ? [...all[i].path, 'priority'] : all[i].path,
        `priority ${p} of ${all[i].name} must be below ${all[i - 1].name}'s ${priorities[i - 1]}: the first director is the VRRP master`,
      );
  });
  const sync = lvsMode(raw.mode).facts.connectionSync;
  if (sync !== true && keepalived?.sync === true)
    report(['keepalived', 'sync'], `sync does not keep connections in ${raw.mode} mode: ${sync.why}; leave it out (the default here is false)`);
  return {
    routerId: keepalived?.vrrp?.routerId ?? VRRP_DEFAULTS.routerId,
    advertInterval: keepalived?.vrrp?.advertInterval ?? VRRP_DEFAULTS.advertInterval,
    sync: keepalived?.sync ?? sync === true,
    priorities,
  };
}
