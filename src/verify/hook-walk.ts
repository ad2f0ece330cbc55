/**
 * The walk of a request and of a reply through the director's netfilter hooks, from the kernel's own
 * counters: verify adds a table of counting rules (one chain per hook, at priority -300, before
 * conntrack, NAT and IPVS) to the director, sends its traffic, reads the counters and removes the table.
 *
 * The LVS pages draw a DR request as PREROUTING -> INPUT (where IPVS takes it) -> POSTROUTING. The
 * kernel's path has one more hook: IPVS hands the rewritten packet to LOCAL_OUT (ip_vs_send_or_cont,
 * ip_vs_nat_send_or_cont), so the request also crosses OUTPUT. Replies that come back through the
 * director (NAT, FULLNAT) are routed and cross FORWARD, where IPVS un-NATs them.
 */
import { DIRECTOR_LOCAL_PORTS, type Lab } from '../model/lab.js';
import { viewFamily } from '../model/family-view.js';
import { lvsMode } from '../modes/index.js';
import type { CheckResult } from './result.js';

export { HOOKS, type Hook, type Walk } from '../model/observation.js';
import { HOOKS, type Hook, type Walk } from '../model/observation.js';

export const WALK_TABLE = 'lvslab_walk';

/**
 * The counting table, for `nft -f -`. Requests: from a client, or IP-in-IP (TUN's encapsulated
 * request). Replies: to a client, or from a real server to anyone else (FULLNAT's reply to the DIP).
 */
export function walkTable(lab: Lab): string[] {
  const clients = `{ ${lab.clients.map((c) => c.interfaces[0].address).join(', ')} }`;
  const servers = `{ ${lab.realServers.map((rs) => rs.interfaces[0].address).join(', ')} }`;
  const v6 = viewFamily(lab) === 'ipv6';
  // IPv6: the same rules on ip6 headers (TUN's request is IPv6-in-IPv6, next header 41); neighbour discovery, IPv6's ARP, is no request or reply.
  const ip = v6 ? 'ip6' : 'ip';
  const rules = [
    ...(v6 ? ['icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } return'] : []),
    `${ip} saddr ${clients} counter comment "request"`,
    v6 ? 'ip6 nexthdr 41 counter comment "request"' : 'ip protocol 4 counter comment "request"',
    `${ip} daddr ${clients} counter comment "reply"`,
    `${ip} saddr ${servers} ${ip} daddr != ${clients} counter comment "reply"`,
  ];
  // keepalived's checkers talk to the real servers from the director's own ports (DIRECTOR_LOCAL_PORTS, set
  // by the plan): their answers, and a port's ICMP unreachable, are not the lab's traffic and return uncounted.
  // (A test for a local socket would miss an answer that arrives after the checker closed its socket.)
  const checkerTraffic = [
    `meta l4proto { tcp, udp } th dport ${DIRECTOR_LOCAL_PORTS.join('-')} return`,
    v6 ? 'icmpv6 type destination-unreachable return' : 'icmp type destination-unreachable return',
  ];
  const ownSockets = (hook: Hook) => (lab.keepalived && (hook === 'prerouting' || hook === 'input') ? checkerTraffic : []);
  return [
    `table ${ip} ${WALK_TABLE} {`,
    ...HOOKS.flatMap((hook) => [
      `  chain ${hook} {`,
      `    type filter hook ${hook} priority -300; policy accept;`,
      ...[...ownSockets(hook), ...rules].map((r) => `    ${r}`),
      '  }',
    ]),
    '}',
  ];
}

interface NftRule {
  rule?: { chain: string; comment?: string; expr?: Array<{ counter?: { packets: number } }> };
}

/** `nft -j list table ip lvslab_walk`: packets per hook and direction. */
export function parseWalk(json: string): Walk {
  const walk = Object.fromEntries(HOOKS.map((h) => [h, { request: 0, reply: 0 }])) as Walk;
  const items = (JSON.parse(json) as { nftables?: NftRule[] }).nftables ?? [];
  for (const { rule } of items) {
    if (!rule || !(HOOKS as readonly string[]).includes(rule.chain) || (rule.comment !== 'request' && rule.comment !== 'reply')) continue;
    const packets = rule.expr?.find((e) => e.counter)?.counter?.packets ?? 0;
    walk[rule.chain as Hook][rule.comment] += packets;
  }
  return walk;
}

function render(hooks: readonly Hook[]): string {
  return hooks.length === 0 ? 'none (it bypasses the director)' : hooks.join(' -> ');
}

/** The hooks the director's counters saw each direction cross, against the mode's walk. */
export function hookWalkCheck(lab: Lab, walk: Walk | string): CheckResult {
  const { walk: want, walkNote } = lvsMode(lab.mode).facts;
  const pages = walkNote ? ` (${walkNote})` : '';
  const expected = `request ${render(want.request)}; reply ${render(want.reply)}${pages}`;
  const name = `the director's netfilter hooks: the ${lab.mode} walk of requests and replies`;
  if (typeof walk === 'string') return { name, where: lab.director.name, expected, observed: walk, ok: false };
  const seen = (direction: 'request' | 'reply') => HOOKS.filter((h) => walk[h][direction] > 0);
  const request = seen('request');
  const reply = seen('reply');
  const differs = (hooks: readonly Hook[], wanted: readonly Hook[]) => hooks.join() !== wanted.join();
  const counts = (direction: 'request' | 'reply', hooks: Hook[]) => hooks.map((h) => `${h} ${walk[h][direction]}`).join(', ');
  return {
    name,
    where: lab.director.name,
    expected,
    observed:
      `request ${render(request)}${request.length ? ` (packets: ${counts('request', request)})` : ''}; reply ` +
      `${render(reply)}${reply.length ? ` (packets: ${counts('reply', reply)})` : ''}`,
    ok: !differs(request, want.request) && !differs(reply, want.reply),
  };
}
