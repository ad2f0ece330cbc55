/**
 * One director's own keepalived.conf, read into lvslab's terms: its virtual servers (VIP, port, scheduler,
 * forwarding method, members by address, the one check they share) and its VRRP instance and sync daemon.
 * Only what lvslab understands is accepted; anything else is named with its line and refused, so that a lab
 * never runs a config whose effect its checks do not know (scripts, fwmarks, unicast peers, ...).
 */
import type { ConfStatement } from '../../load/keepalived-conf.js';
import { PROTOCOLS, SCHEDULERS, type CheckType, type Protocol, type Scheduler } from '../../model/lab.js';
import { parseIPv4 } from '../../model/ipv4.js';
import { clip } from '../../model/problems.js';
import type { RawCheck } from '../resolve/raw.js';

export interface At {
  line: number;
  col: number;
}

export interface ConfMember {
  address: string;
  port: number;
  weight: number;
  at: At;
}

export interface ConfService {
  protocol: Protocol;
  vip: string;
  port: number;
  scheduler: Scheduler;
  persistence?: number;
  /** keepalived's lb_kind: NAT, DR or TUN (its default NAT). */
  kind: string;
  kindAt: At;
  members: ConfMember[];
  check: RawCheck;
  at: At;
}

export interface ConfVrrp {
  name: string;
  interface: string;
  routerId: number;
  priority: number;
  advertInterval: number;
  addresses: Array<{ address: string; prefix: number; dev?: string; at: At }>;
  at: At;
  /** Where each value stands, for messages about it. */
  places: Record<'interface' | 'routerId' | 'priority' | 'advertInterval' | 'addresses', At>;
}

export interface ConfSync {
  interface: string;
  instance: string;
  at: At;
}

export interface DirectorConf {
  services: ConfService[];
  vrrp?: ConfVrrp;
  sync?: ConfSync;
  vrrpVersion?: number;
}

export interface ConfProblem extends At {
  message: string;
}

/** keepalived's own defaults for what a config leaves out (keepalived.conf(5)). */
const KEEPALIVED_DEFAULTS = { delayLoop: 60, connectTimeout: 5, retry: 1, retryDelay: 1, httpRetryDelay: 3, priority: 100, advertInt: 1 } as const;
/** The range lvslab verifies in, as for its own `check` keys. */
const SECONDS = { min: 0.1, max: 60 } as const;

const CHECKERS: Record<string, CheckType> = { TCP_CHECK: 'tcp', HTTP_GET: 'http', UDP_CHECK: 'udp' };
const TIMERS = ['connect_timeout', 'retry', 'nb_get_retry', 'delay_before_retry', 'delay_loop', 'warmup'];

/** What lvslab understands in each block; `why` explains a keyword it refuses on purpose. */
const KNOWN: Record<string, string[]> = {
  top: ['global_defs', 'vrrp_instance', 'virtual_server'],
  global_defs: [
    'router_id',
    'lvs_sync_daemon',
    'vrrp_version',
    'vrrp_garp_master_delay',
    'vrrp_garp_master_repeat',
    'vrrp_garp_master_refresh',
    'vrrp_garp_interval',
    'vrrp_gna_interval',
    'notification_email',
    'notification_email_from',
    'smtp_server',
    'smtp_connect_timeout',
  ],
  vrrp_instance: [
    'state',
    'interface',
    'virtual_router_id',
    'priority',
    'advert_int',
    'virtual_ipaddress',
    'authentication',
    'garp_master_delay',
    'garp_master_repeat',
    'garp_master_refresh',
  ],
  authentication: ['auth_type', 'auth_pass'],
  virtual_server: [
    'delay_loop',
    'lb_algo',
    'lvs_sched',
    'lb_kind',
    'lvs_method',
    'protocol',
    'persistence_timeout',
    'alpha',
    'omega',
    'ha_suspend',
    ...TIMERS,
    'real_server',
  ],
  real_server: ['weight', ...TIMERS, ...Object.keys(CHECKERS)],
  TCP_CHECK: ['connect_port', ...TIMERS],
  UDP_CHECK: ['connect_port', ...TIMERS, 'payload', 'require_reply'],
  HTTP_GET: ['connect_port', ...TIMERS, 'url'],
  url: ['path', 'status_code'],
};

const WHY: Record<string, string> = {
  include: "lvslab runs each director's file as written, alone: put the included text in it",
  vrrp_script: 'scripts would run commands in the lab that its checks know nothing of',
  track_script: 'scripts would run commands in the lab that its checks know nothing of',
  notify: 'notify scripts would run commands in the lab that its checks know nothing of',
  notify_master: 'notify scripts would run commands in the lab that its checks know nothing of',
  notify_backup: 'notify scripts would run commands in the lab that its checks know nothing of',
  notify_up: 'notify scripts would run commands in the lab that its checks know nothing of',
  notify_down: 'notify scripts would run commands in the lab that its checks know nothing of',
  MISC_CHECK: 'a script checker would run commands in the lab that its checks know nothing of; use TCP_CHECK, HTTP_GET or UDP_CHECK',
  vrrp_strict: 'it adds firewall rules to the director that lvslab does not plan; remove it for the lab',
  nopreempt: "lvslab's failover check expects the master to take the VIP back when its link returns",
  inhibit_on_failure: "lvslab's health check expects a dead real server to leave the table (with it, it stays with weight 0)",
  sorry_server: 'the lab has no sorry server; its checks expect requests to fail over to live real servers only',
  unicast_peer: 'the directors of a lab share one network, where VRRP multicast works',
  unicast_src_ip: 'the directors of a lab share one network, where VRRP multicast works',
  vrrp_sync_group: 'a lab pair has one VRRP instance',
  virtual_server_group: 'write each virtual_server with its address and port',
};

export function readDirectorConf(statements: ConfStatement[]): { conf: DirectorConf; problems: ConfProblem[] } {
  const problems: ConfProblem[] = [];
  const refuse = (at: At, message: string) => problems.push({ line: at.line, col: at.col, message });
  const conf: DirectorConf = { services: [] };

  /** The block's statements lvslab knows; each unknown one is refused with its line. */
  const known = (block: string, children: ConfStatement[] | undefined): ConfStatement[] =>
    (children ?? []).filter((s) => {
      if (KNOWN[block].includes(s.keyword)) return true;
      const where = block === 'top' ? 'at the top level' : `in ${block}`;
      refuse(s, `${clip(s.keyword, 40)} ${where}: ${WHY[s.keyword] ?? `not a keyword lvslab understands there; it understands ${KNOWN[block].join(', ')}`}`);
      return false;
    });
  const one = (s: ConfStatement, count = 1): boolean => {
    if (s.args.length === count && !s.children) return true;
    refuse(s, `${s.keyword} takes ${count === 1 ? 'one value' : `${count} values`}${s.children ? ', not a block' : `, got ${s.args.length}`}`);
    return false;
  };
  const block = (s: ConfStatement, args: number): boolean => {
    if (s.children && s.args.length === args) return true;
    refuse(s, s.children ? `${s.keyword} takes ${args} value(s) before its \`{\`, got ${s.args.length}` : `${s.keyword} opens a block: \`${s.keyword} ... {\``);
    return false;
  };
  const number = (s: ConfStatement, min: number, max: number, integer: boolean): number | undefined => {
    if (!one(s)) return undefined;
    const value = Number(s.args[0]);
    const ok = /^[0-9]+(\.[0-9]+)?$/.test(s.args[0]) && value >= min && value <= max && (!integer || Number.isInteger(value));
    if (!ok) refuse(s, `${s.keyword} takes ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(clip(s.args[0], 40))}`);
    return ok ? value : undefined;
  };
  const seconds = (s: ConfStatement) => number(s, SECONDS.min, SECONDS.max, false);
  const address = (s: ConfStatement, text: string | undefined): string | undefined => {
    if (text !== undefined && parseIPv4(text) !== undefined) return text;
    refuse(s, `${s.keyword} needs an IPv4 address, got ${JSON.stringify(clip(text ?? '', 40))}`);
    return undefined;
  };
  const port = (s: ConfStatement, text: string | undefined): number | undefined => {
    if (text !== undefined && /^[0-9]{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535) return Number(text);
    refuse(s, `${s.keyword} needs a port from 1 to 65535, got ${JSON.stringify(clip(text ?? '', 40))}`);
    return undefined;
  };

  for (const top of known('top', statements)) {
    if (top.keyword === 'global_defs' && block(top, 0)) readGlobals(top);
    else if (top.keyword === 'vrrp_instance' && block(top, 1)) {
      if (conf.vrrp) refuse(top, `a second vrrp_instance (the first is on line ${conf.vrrp.at.line}): a lab pair has one VRRP instance`);
      else readVrrp(top);
    } else if (top.keyword === 'virtual_server') {
      if (top.args[0] === 'fwmark' || top.args[0] === 'group')
        refuse(top, `virtual_server ${top.args[0]}: lvslab builds services by address and port; write virtual_server VIP PORT`);
      else if (block(top, 2)) readVirtualServer(top);
    }
  }
  return { conf, problems };

  function readGlobals(s: ConfStatement) {
    for (const g of known('global_defs', s.children)) {
      if (g.keyword === 'vrrp_version') conf.vrrpVersion = number(g, 2, 3, true);
      if (g.keyword === 'lvs_sync_daemon') readSync(g);
    }
  }

  function readSync(s: ConfStatement) {
    // lvs_sync_daemon IFACE [inst] INSTANCE [id N] [maxlen N] [port N] [ttl N]
    const args = [...s.args];
    const iface = args.shift();
    if (args[0] === 'inst') args.shift();
    const instance = args.shift();
    if (!iface || !instance || s.children) return refuse(s, 'lvs_sync_daemon takes an interface and a VRRP instance: `lvs_sync_daemon eth0 VI_1 [id N]`');
    for (let i = 0; i < args.length; i += 2) {
      if (!['id', 'maxlen', 'port', 'ttl'].includes(args[i]) || !/^[0-9]+$/.test(args[i + 1] ?? ''))
        return refuse(
          s,
          `lvs_sync_daemon: ${JSON.stringify(clip(args[i], 20))} is not understood; after the instance come id, maxlen, port or ttl, each with a number`,
        );
    }
    conf.sync = { interface: iface, instance, at: s };
  }

  function readVrrp(s: ConfStatement) {
    const vrrp: Partial<ConfVrrp> & Pick<ConfVrrp, 'addresses' | 'places'> = {
      name: s.args[0],
      priority: KEEPALIVED_DEFAULTS.priority,
      advertInterval: KEEPALIVED_DEFAULTS.advertInt,
      addresses: [],
      at: s,
      places: { priority: s, advertInterval: s, routerId: s, interface: s, addresses: s },
    };
    for (const v of known('vrrp_instance', s.children)) {
      if (v.keyword === 'state' && one(v) && !['MASTER', 'BACKUP'].includes(v.args[0]))
        refuse(v, `state is MASTER or BACKUP, got ${JSON.stringify(clip(v.args[0], 20))}`);
      if (v.keyword === 'interface' && one(v)) [vrrp.interface, vrrp.places.interface] = [v.args[0], v];
      if (v.keyword === 'virtual_router_id') [vrrp.routerId, vrrp.places.routerId] = [number(v, 1, 255, true), v];
      if (v.keyword === 'priority') [vrrp.priority, vrrp.places.priority] = [number(v, 1, 254, true), v];
      if (v.keyword === 'advert_int') [vrrp.advertInterval, vrrp.places.advertInterval] = [number(v, 0.01, 255, false), v];
      if (v.keyword === 'authentication' && block(v, 0)) known('authentication', v.children);
      if (v.keyword === 'virtual_ipaddress' && block(v, 0)) {
        vrrp.places.addresses = v;
        for (const entry of v.children!) readVirtualAddress(entry, vrrp.addresses);
      }
    }
    if (!vrrp.interface) return refuse(s, `vrrp_instance ${clip(s.args[0], 20)} has no \`interface\`: the director's interface is eth0`);
    if (vrrp.routerId === undefined) return refuse(s, `vrrp_instance ${clip(s.args[0], 20)} has no valid \`virtual_router_id\``);
    if (vrrp.priority === undefined || vrrp.advertInterval === undefined) return;
    if (!s.children?.some((v) => v.keyword === 'virtual_ipaddress'))
      return refuse(s, `vrrp_instance ${clip(s.args[0], 20)} has no \`virtual_ipaddress\` block: the VIP moves with it`);
    conf.vrrp = vrrp as ConfVrrp;
  }

  function readVirtualAddress(entry: ConfStatement, into: ConfVrrp['addresses']) {
    // ADDRESS[/PREFIX] [dev IFACE] [label LABEL] [scope SCOPE] [brd ADDRESS]
    const [text, prefixText = '32'] = entry.keyword.split('/');
    const prefix = Number(prefixText);
    if (parseIPv4(text) === undefined || !/^[0-9]{1,2}$/.test(prefixText) || prefix > 32 || entry.children)
      return refuse(entry, `virtual_ipaddress: ${JSON.stringify(clip(entry.keyword, 40))} is not an IPv4 address (with an optional /prefix)`);
    const words = entry.args;
    let dev: string | undefined;
    for (let i = 0; i < words.length; i += 2) {
      if (!['dev', 'label', 'scope', 'brd'].includes(words[i]) || words[i + 1] === undefined)
        return refuse(
          entry,
          `virtual_ipaddress ${text}: ${JSON.stringify(clip(words[i], 20))} is not understood; an address may be followed by dev, label, scope or brd`,
        );
      if (words[i] === 'dev') dev = words[i + 1];
    }
    into.push({ address: text, prefix, dev, at: entry });
  }

  function readVirtualServer(s: ConfStatement) {
    const vip = address(s, s.args[0]);
    const vport = port(s, s.args[1]);
    let scheduler: Scheduler | undefined;
    let kind: { kind: string; at: At } = { kind: 'NAT', at: s };
    let protocol: Protocol = 'tcp';
    let persistence: number | undefined;
    const members: Array<ConfMember & { check: RawCheck; checkAt: At }> = [];
    const timers = timersOf(s.children ?? []);
    for (const v of known('virtual_server', s.children)) {
      if ((v.keyword === 'lb_algo' || v.keyword === 'lvs_sched') && one(v)) {
        if ((SCHEDULERS as readonly string[]).includes(v.args[0])) scheduler = v.args[0] as Scheduler;
        else refuse(v, `${v.keyword} ${JSON.stringify(clip(v.args[0], 20))} is not an IPVS scheduler; schedulers: ${SCHEDULERS.join(', ')}`);
      }
      if ((v.keyword === 'lb_kind' || v.keyword === 'lvs_method') && one(v)) kind = { kind: v.args[0], at: v };
      if (v.keyword === 'protocol' && one(v)) {
        const p = v.args[0].toLowerCase();
        if ((PROTOCOLS as readonly string[]).includes(p)) protocol = p as Protocol;
        else refuse(v, `protocol ${JSON.stringify(clip(v.args[0], 20))}: lvslab's labs serve TCP or UDP`);
      }
      if (v.keyword === 'persistence_timeout') persistence = v.args.length === 0 ? 360 : number(v, 1, 86400, true);
      if (v.keyword === 'real_server' && block(v, 2)) {
        const member = readRealServer(v, timers);
        if (member) members.push(member);
      }
    }
    if (scheduler === undefined && !s.children?.some((v) => v.keyword === 'lb_algo' || v.keyword === 'lvs_sched')) scheduler = 'wlc';
    if (members.length === 0) refuse(s, `virtual_server ${s.args.join(' ')} has no real_server: nothing would serve it`);
    const first = members[0];
    for (const m of members.slice(1)) {
      if (JSON.stringify(m.check) !== JSON.stringify(first.check))
        refuse(
          m.checkAt,
          `real_server ${m.address} is checked otherwise than ${first.address} (line ${first.checkAt.line}): lvslab judges a service by one check`,
        );
    }
    if (vip === undefined || vport === undefined || scheduler === undefined || members.length === 0) return;
    conf.services.push({
      protocol,
      vip,
      port: vport,
      scheduler,
      persistence,
      kind: kind.kind,
      kindAt: kind.at,
      members: members.map(({ address, port, weight, at }) => ({ address, port, weight, at })),
      check: first.check,
      at: s,
    });
  }

  /** The timers a level sets, by keepalived's names; a checker's own win over its real server's, which win over the virtual server's. */
  function timersOf(children: ConfStatement[], inherited: Record<string, ConfStatement> = {}): Record<string, ConfStatement> {
    const own = Object.fromEntries(children.filter((c) => TIMERS.includes(c.keyword)).map((c) => [c.keyword === 'nb_get_retry' ? 'retry' : c.keyword, c]));
    return { ...inherited, ...own };
  }

  function readRealServer(s: ConfStatement, inherited: Record<string, ConfStatement>) {
    const rip = address(s, s.args[0]);
    const rport = port(s, s.args[1]);
    let weight = 1;
    const timers = timersOf(s.children ?? [], inherited);
    let checker: ConfStatement | undefined;
    for (const r of known('real_server', s.children)) {
      if (r.keyword === 'weight') weight = number(r, 0, 65535, true) ?? weight;
      if (CHECKERS[r.keyword]) {
        if (checker) refuse(r, `a second checker for real_server ${s.args[0]} (the first on line ${checker.line}): lvslab judges a real server by one check`);
        else if (block(r, 0)) checker = r;
      }
    }
    if (rip === undefined || rport === undefined) return undefined;
    const check: RawCheck = checker ? readChecker(checker, rport, timersOf(checker.children ?? [], timers)) : { type: 'none' };
    return { address: rip, port: rport, weight, at: s, check, checkAt: checker ?? s };
  }

  function readChecker(s: ConfStatement, memberPort: number, timers: Record<string, ConfStatement>): RawCheck {
    const type = CHECKERS[s.keyword];
    const check: RawCheck = { type };
    for (const c of known(s.keyword, s.children)) {
      if (c.keyword === 'connect_port' && one(c)) {
        const p = port(c, c.args[0]);
        if (p !== undefined && p !== memberPort) check.port = p;
      }
      if (c.keyword === 'url' && block(c, 0)) {
        for (const u of known('url', c.children)) {
          if (u.keyword === 'path' && one(u)) check.path = u.args[0];
          if (u.keyword === 'status_code') check.expect = number(u, 100, 599, true);
        }
      }
    }
    if (type === 'http') Object.assign(check, { path: check.path ?? '/', expect: check.expect ?? 200 });
    const timer = (name: string, fallback: number, integer = false) => {
      const s = timers[name];
      if (!s) return fallback;
      return (integer ? number(s, 0, 10, true) : seconds(s)) ?? fallback;
    };
    check.interval = timer('delay_loop', KEEPALIVED_DEFAULTS.delayLoop);
    check.timeout = timer('connect_timeout', KEEPALIVED_DEFAULTS.connectTimeout);
    check.retries = timer('retry', KEEPALIVED_DEFAULTS.retry, true);
    check.retryDelay = timer('delay_before_retry', type === 'http' ? KEEPALIVED_DEFAULTS.httpRetryDelay : KEEPALIVED_DEFAULTS.retryDelay);
    return check;
  }
}
