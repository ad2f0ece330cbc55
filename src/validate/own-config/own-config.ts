/**
 * A lab that brings its own keepalived.conf (`keepalived: { config: FILE }`, one file per director): the files
 * are read into lvslab's terms (read-conf.ts), checked against each other and the lab's mode, and written into
 * the topology as the services, VRRP instance and priorities they say; the usual resolvers then check them
 * against the topology's nodes and addresses. Every problem stands at the conf's file:line (`places`), and
 * the files run unchanged in the directors.
 */
import type { ConfFile } from '../../load/keepalived-conf.js';
import { parseKeepalivedConf } from '../../load/keepalived-conf.js';
import { allNodes, type Lab } from '../../model/lab.js';
import { interfaceName } from '../../model/naming.js';
import type { Problem, YamlPath } from '../../model/problems.js';
import { KEEPALIVED_LB_KIND, lvsMode } from '../../modes/index.js';
import { pairFloat } from '../../modes/lvs-mode.js';
import type { ShapeProblem } from '../check-shape.js';
import type { RawDirector, RawService, RawTopology } from '../resolve/raw.js';
import { readDirectorConf, type At, type ConfService, type DirectorConf } from './read-conf.js';

/** Where a problem found in lvslab's terms stands in a conf file. */
export type Places = Map<string, { file: string; at: At; path: YamlPath }>;

export interface OwnConfigResult {
  /** The topology with the services, VRRP instance and priorities the files say. */
  raw: RawTopology;
  places: Places;
  /** Problems at conf file:line (file set) and at YAML paths (file unset). */
  problems: Array<Problem | ShapeProblem>;
  /** Per director, in order: the file and its text, to run as written. */
  files: Array<{ file: string; lines: string[]; conf: DirectorConf }>;
}

const key = (path: YamlPath) => JSON.stringify(path);

/** The place a resolver's problem at `path` has in a conf file, if it came from one. */
export function placeOf(places: Places, path: YamlPath): { file: string; at: At; path: YamlPath } | undefined {
  for (let n = path.length; n > 0; n--) {
    const found = places.get(key(path.slice(0, n)));
    if (found) return found;
  }
  return undefined;
}

/** What a service says, without where it says it: two directors' files must agree on it. */
const serviceShape = (s: ConfService) => JSON.stringify({ ...s, at: undefined, kindAt: undefined, members: s.members.map((m) => ({ ...m, at: undefined })) });

export function ownConfig(raw: RawTopology, confs: ConfFile[]): OwnConfigResult | undefined {
  const keepalived = typeof raw.keepalived === 'object' ? raw.keepalived : undefined;
  if (keepalived?.config === undefined) return undefined;
  const problems: OwnConfigResult['problems'] = [];
  const places: Places = new Map();
  const configPath = (i: number): YamlPath => (typeof keepalived.config === 'string' ? ['keepalived', 'config'] : ['keepalived', 'config', i]);
  const yaml = (path: YamlPath, message: string) => problems.push({ path, message });
  const names = typeof keepalived.config === 'string' ? [keepalived.config] : keepalived.config;

  for (const k of ['check', 'vrrp', 'sync'] as const)
    if (keepalived[k] !== undefined) yaml(['keepalived', k], `\`${k}\` comes from the keepalived.config file(s); remove it here, or remove config`);
  if (raw.services !== undefined)
    yaml(['services'], "the services come from the keepalived.config file(s)' virtual_server blocks; remove `services`, or remove config");
  if (raw.vip !== undefined) yaml(['vip'], "the VIPs come from the keepalived.config file(s)' virtual_server lines; remove `vip`, or remove config");
  const directorCount = raw.directors === undefined ? 1 : typeof raw.directors === 'number' ? raw.directors : raw.directors.length;
  if (names.length !== directorCount)
    yaml(
      ['keepalived', 'config'],
      `${directorCount === 1 ? 'one director runs' : `${directorCount} directors run`} one keepalived.conf each: give ${directorCount} file(s), got ` +
        `${names.length}${directorCount === 2 ? ' (a pair differs in state and priority: a list of two files, the master first)' : ''}`,
    );

  const files: OwnConfigResult['files'] = [];
  for (const [i, name] of names.entries()) {
    const conf = confs[i];
    if (conf?.text === undefined) {
      yaml(configPath(i), `cannot read keepalived config ${conf?.file ?? name}: ${conf?.error ?? 'not read'}`);
      continue;
    }
    const at = (a: At, message: string) => problems.push({ file: conf.file, line: a.line, col: a.col, path: configPath(i), message });
    const parsed = parseKeepalivedConf(conf.text);
    parsed.problems.forEach((p) => at(p, p.message));
    if (parsed.problems.length > 0) continue;
    const read = readDirectorConf(parsed.statements);
    read.problems.forEach((p) => at(p, p.message));
    if (read.problems.length === 0) files.push({ file: conf.file, lines: conf.text.replace(/\n$/, '').split('\n'), conf: read.conf });
  }
  if (problems.length > 0 || files.length !== names.length) return { raw, places, problems: unique(problems), files };

  const at = (d: number, a: At, message: string) => problems.push({ file: files[d].file, line: a.line, col: a.col, path: configPath(d), message });
  const mode = lvsMode(raw.mode);
  const kind = KEEPALIVED_LB_KIND[mode.facts.forwardingFlag];
  const device = interfaceName(0);
  const [first] = files;
  for (const [d, { conf }] of files.entries()) {
    for (const s of conf.services)
      if (s.kind !== kind)
        at(
          d,
          s.kindAt,
          `lb_kind ${s.kind}${s.kindAt === s.at ? " (keepalived's default)" : ''} does not match the lab's mode ${raw.mode}: write lb_kind ${kind}`,
        );
    if (directorCount === 1) {
      if (conf.vrrp) at(d, conf.vrrp.at, 'a vrrp_instance needs a director pair: set `directors: 2` and give one file per director');
      if (conf.sync) at(d, conf.sync.at, 'lvs_sync_daemon copies connections between the directors of a pair: set `directors: 2`');
      continue;
    }
    const vrrp = conf.vrrp;
    if (!vrrp) {
      at(d, { line: 1, col: 1 }, 'a director of a pair needs a vrrp_instance: VRRP moves the VIP between the two');
      continue;
    }
    if (vrrp.interface !== device) at(d, vrrp.places.interface, `interface ${vrrp.interface}: the director's interface in the lab is ${device}`);
    for (const a of vrrp.addresses) {
      if (a.dev !== undefined && a.dev !== device) at(d, a.at, `dev ${a.dev}: the director's interface in the lab is ${device}`);
      if (a.prefix !== 32)
        at(d, a.at, `${a.address}/${a.prefix}: a VIP is held as /32 (with a shorter prefix the director would gain a second route to its network)`);
    }
    for (const s of conf.services)
      if (!vrrp.addresses.some((a) => a.address === s.vip))
        at(d, s.at, `VIP ${s.vip} is not in vrrp_instance ${vrrp.name}'s virtual_ipaddress: no director would hold it`);
    if (vrrp.advertInterval < 1 && conf.vrrpVersion !== 3)
      at(d, vrrp.places.advertInterval, 'an advert_int below 1 s needs `vrrp_version 3` in global_defs (version 2 counts whole seconds)');
    if (conf.sync && conf.sync.interface !== device)
      at(d, conf.sync.at, `lvs_sync_daemon ${conf.sync.interface}: the director's interface in the lab is ${device}`);
    if (conf.sync && conf.sync.instance !== vrrp.name)
      at(d, conf.sync.at, `lvs_sync_daemon names instance ${conf.sync.instance}; the VRRP instance is ${vrrp.name}`);
    if (d === 0) continue;
    const master = first.conf;
    const other = `${first.file.split('/').at(-1)}`;
    const agree = (a: At, what: string, mine: unknown, theirs: unknown) => {
      if (JSON.stringify(mine) !== JSON.stringify(theirs)) at(d, a, `${what} differs from ${other}'s (${String(theirs)}): both directors of a pair must agree`);
    };
    if (master.vrrp) {
      agree(vrrp.places.routerId, 'virtual_router_id', vrrp.routerId, master.vrrp.routerId);
      agree(vrrp.places.advertInterval, 'advert_int', vrrp.advertInterval, master.vrrp.advertInterval);
      const addresses = (v: typeof vrrp) => v.addresses.map((a) => a.address).sort();
      agree(vrrp.places.addresses, 'virtual_ipaddress', addresses(vrrp), addresses(master.vrrp));
    }
    agree(conf.sync?.at ?? vrrp.at, 'lvs_sync_daemon', conf.sync !== undefined, master.sync !== undefined);
    const theirs = master.services.map(serviceShape);
    conf.services.forEach((s) => {
      if (!theirs.includes(serviceShape(s)))
        at(d, s.at, `virtual_server ${s.vip} ${s.port} differs from ${other}'s (or is not there): both directors serve the same services`);
    });
    if (conf.services.length < master.services.length)
      at(d, { line: 1, col: 1 }, `${other} has virtual servers this file has not: both directors serve the same services`);
  }
  if (first.conf.services.length === 0) at(0, { line: 1, col: 1 }, 'the file has no virtual_server: a lab balances at least one service');
  first.conf.services.forEach((s, i) => {
    const ports = new Set(s.members.map((m) => m.port));
    if (ports.size > 1)
      at(0, s.members[1].at, `the real servers of virtual_server ${s.vip} ${s.port} listen on different ports: a lab's service has one real port`);
    places.set(key(['services', i]), { file: first.file, at: s.at, path: configPath(0) });
    // The lab's VIP is the first service's (the address plan claims it before the services').
    if (i === 0) places.set(key(['vip']), { file: first.file, at: s.at, path: configPath(0) });
    places.set(key(['services', i, 'realPort']), { file: first.file, at: s.members[0].at, path: configPath(0) });
    places.set(key(['services', i, 'check']), { file: first.file, at: s.members[0].at, path: configPath(0) });
    s.members.forEach((m, j) => places.set(key(['services', i, 'members', j]), { file: first.file, at: m.at, path: configPath(0) }));
  });
  if (problems.length > 0) return { raw, places, problems: unique(problems), files };

  const services: RawService[] = first.conf.services.map((s) => ({
    protocol: s.protocol,
    port: s.port,
    vip: s.vip,
    realPort: s.members[0].port,
    scheduler: s.scheduler,
    persistence: s.persistence,
    members: s.members.map(({ address, port, weight }) => ({ address, port, weight })),
    check: s.check,
  }));
  const translated: RawTopology = { ...raw, vip: services[0]?.vip, services, keepalived: {} };
  const vrrp = first.conf.vrrp;
  if (vrrp) {
    translated.keepalived = { vrrp: { routerId: vrrp.routerId, advertInterval: vrrp.advertInterval }, sync: first.conf.sync !== undefined };
    places.set(key(['keepalived', 'vrrp']), { file: first.file, at: vrrp.at, path: configPath(0) });
    places.set(key(['keepalived', 'vrrp', 'routerId']), { file: first.file, at: vrrp.places.routerId, path: configPath(0) });
    if (first.conf.sync) places.set(key(['keepalived', 'sync']), { file: first.file, at: first.conf.sync.at, path: configPath(0) });
    const written: RawDirector[] = typeof raw.directors === 'object' ? raw.directors : files.map(() => ({}));
    translated.directors = written.map((d, i) => ({ ...d, priority: files[i].conf.vrrp!.priority }));
    files.forEach((f, i) => places.set(key(['directors', i, 'priority']), { file: f.file, at: f.conf.vrrp!.places.priority, path: configPath(i) }));
  }
  return { raw: translated, places, problems: [], files };
}

/** In the order of the files' lines (the topology's own first); once each (a statement may be judged once per checker that inherits it). */
function unique(problems: OwnConfigResult['problems']): OwnConfigResult['problems'] {
  const seen = new Set<string>();
  const order = (p: Problem | ShapeProblem) => ('file' in p ? [1, p.file, p.line, p.col] : [0, '', 0, 0]) as [number, string, number, number];
  return problems
    .filter((p) => {
      const k = JSON.stringify(p);
      return seen.has(k) ? false : (seen.add(k), true);
    })
    .map((p, i) => ({ p, i, o: order(p) }))
    .sort((a, b) => a.o[0] - b.o[0] || a.o[1].localeCompare(b.o[1]) || a.o[2] - b.o[2] || a.o[3] - b.o[3] || a.i - b.i)
    .map(({ p }) => p);
}

const FLOATING_USE = {
  gateway: 'in nat mode the real servers route through',
  source: "in fullnat mode the directors' source NAT gives requests the address",
} as const;

/**
 * What only the built lab can tell: the addresses a pair's VRRP instance holds are the lab's VIPs and, where the
 * mode needs one (NAT's real servers' gateway, FULLNAT's source NAT), the floating address the lab gave them; nothing else.
 */
export function checkAgainstLab(lab: Lab, result: OwnConfigResult): Problem[] {
  const vrrp = lab.keepalived?.vrrp;
  if (!vrrp) return [];
  const problems: Problem[] = [];
  const vips = new Set(lab.services.map((s) => s.vip));
  const nodeOf = new Map(allNodes(lab).flatMap((n) => n.interfaces.map((i) => [i.address, n.name] as const)));
  result.files.forEach(({ file, conf }, d) => {
    const instance = conf.vrrp!;
    const path: YamlPath = ['keepalived', 'config', d];
    for (const a of instance.addresses) {
      const owner = nodeOf.get(a.address);
      if (owner) problems.push({ file, ...a.at, path, message: `${a.address} is the address of ${owner}; VRRP would take it from it` });
      else if (!vips.has(a.address) && a.address !== vrrp.floating)
        problems.push({
          file,
          ...a.at,
          path,
          message: `${a.address} is neither a VIP of the lab's virtual servers${vrrp.floating ? ' nor its floating address' : ''}: lvslab checks what it holds`,
        });
    }
    if (vrrp.floating && !instance.addresses.some((a) => a.address === vrrp.floating))
      problems.push({
        file,
        ...instance.places.addresses,
        path,
        message:
          `${FLOATING_USE[pairFloat(lvsMode(lab.mode).facts)!]} ${vrrp.floating} (the last host of the directors' network), which must move with ` +
          'the VIP: add it to virtual_ipaddress',
      });
  });
  return problems;
}
