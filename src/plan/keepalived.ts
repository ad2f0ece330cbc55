/**
 * keepalived as the writer of the IPVS table: each director's keepalived.conf, rendered from the Lab
 * (pure text, golden-tested with the plan), and the steps that write it, start keepalived in the
 * director's namespace and wait until it has written the table (and, for a pair, the master holds the VIP).
 * One director runs only keepalived's health checker; a pair runs VRRP too, which moves the VIP, and
 * with `sync` the IPVS sync daemon, which copies the master's connections to the backup.
 */
import { dirname } from 'node:path';
import { directorsOf, type HealthCheck, type Lab, type Node, type Service, type ServiceMember } from '../model/lab.js';
import type { Step } from '../model/step.js';
import { KEEPALIVED_LB_KIND, lvsMode } from '../modes/index.js';

/** What a udp check sends ("lvslab\n" in hex); the real servers' service answers any datagram. */
export const UDP_CHECK_PAYLOAD = Buffer.from('lvslab\n').toString('hex');

/** How long `up` waits for keepalived's first table (its checker starts in about a second, slower under emulation). */
export const KEEPALIVED_READY_MS = 20_000;

/** The pair's VRRP instance, named in the sync daemon's line too. */
export const VRRP_INSTANCE = 'VI_1';

const indent = (lines: string[]) => lines.map((line) => `  ${line}`);

function checkerLines(check: HealthCheck, member: ServiceMember): string[] {
  const common = [
    `connect_port ${check.port ?? member.port}`,
    `connect_timeout ${check.timeout}`,
    `retry ${check.retries}`,
    `delay_before_retry ${check.retryDelay}`,
  ];
  switch (check.type) {
    case 'none':
      return [];
    case 'tcp':
      return ['TCP_CHECK {', ...indent(common), '}'];
    case 'udp':
      return ['UDP_CHECK {', ...indent([...common, `payload ${UDP_CHECK_PAYLOAD}`, 'require_reply']), '}'];
    case 'http':
      return ['HTTP_GET {', ...indent(['url {', ...indent([`path ${check.path}`, `status_code ${check.expect}`]), '}', ...common]), '}'];
  }
}

function virtualServerLines(lab: Lab, service: Service): string[] {
  const check = service.check!;
  const body = [
    `delay_loop ${check.interval}`,
    `lb_algo ${service.scheduler}`,
    `lb_kind ${KEEPALIVED_LB_KIND[lvsMode(lab.mode).facts.forwardingFlag]}`,
    `protocol ${service.protocol.toUpperCase()}`,
    ...(service.persistence ? [`persistence_timeout ${service.persistence}`] : []),
    ...service.members.flatMap((m) => [`real_server ${m.address} ${m.port} {`, ...indent([`weight ${m.weight}`, ...checkerLines(check, m)]), '}']),
  ];
  return [`virtual_server ${service.vip} ${service.port} {`, ...indent(body), '}'];
}

/** The VIPs, each once. */
function vips(lab: Lab): string[] {
  return [...new Set(lab.services.map((s) => s.vip))];
}

/** A pair's VRRP instance as this director runs it: the master (first) starts as MASTER. */
function vrrpLines(lab: Lab, director: Node, index: number): string[] {
  const vrrp = lab.keepalived!.vrrp!;
  const device = director.interfaces[0].name;
  return [
    `vrrp_instance ${VRRP_INSTANCE} {`,
    ...indent([
      `state ${index === 0 ? 'MASTER' : 'BACKUP'}`,
      `interface ${device}`,
      `virtual_router_id ${vrrp.routerId}`,
      `priority ${vrrp.priorities[index]}`,
      `advert_int ${vrrp.advertInterval}`,
      'virtual_ipaddress {',
      ...indent([...vips(lab), ...(vrrp.floating ? [vrrp.floating] : [])].map((address) => `${address}/32 dev ${device}`)),
      '}',
    ]),
    '}',
  ];
}

/**
 * One director's keepalived.conf: the file the topology brought, as written; else the pair's VRRP instance (if any), one
 * virtual_server per service, a checker per real server.
 */
export function keepalivedConf(lab: Lab, director: Node = lab.director): string[] {
  const own = lab.keepalived?.own?.[director.name];
  if (own) return own.lines;
  const index = directorsOf(lab).indexOf(director);
  const vrrp = lab.keepalived?.vrrp;
  const globals = [
    `router_id ${lab.name}-${director.name}`,
    // VRRP version 2 counts adverts in whole seconds; version 3 in hundredths.
    ...(vrrp && !Number.isInteger(vrrp.advertInterval) ? ['vrrp_version 3'] : []),
    ...(vrrp?.sync ? [`lvs_sync_daemon ${director.interfaces[0].name} ${VRRP_INSTANCE} id ${vrrp.routerId}`] : []),
  ];
  return [
    `# keepalived.conf of lab ${lab.name}, director ${director.name}: written by lvslab`,
    'global_defs {',
    ...indent(globals),
    '}',
    ...(vrrp ? vrrpLines(lab, director, index) : []),
    ...lab.services.flatMap((s) => virtualServerLines(lab, s)),
  ];
}

const escaped = (address: string) => address.replaceAll('.', '\\.');

/** Write the config, start keepalived (one director: the checker only), wait for its table (and the master's VIP). */
function directorSteps(lab: Lab, director: Node, index: number): Step[] {
  const files = lab.keepalived!.files[director.name];
  const ns = director.namespace;
  const node = director.name;
  const pair = lab.keepalived!.vrrp !== undefined;
  const members = lab.services.reduce((n, s) => n + s.members.length, 0);
  const subsystems = pair ? ['-r', files.vrrpPid] : ['-C'];
  const steps: Step[] = [
    { phase: 'keepalived', node, title: "the director's run folder", argv: ['mkdir', '-p', dirname(files.config)] },
    // tee reads its standard input, which the runner feeds through a socket: `install /dev/stdin` cannot open that.
    { phase: 'keepalived', node, title: 'keepalived.conf', argv: ['tee', files.config], input: keepalivedConf(lab, director) },
    {
      phase: 'keepalived',
      node,
      title: pair ? 'keepalived: VRRP, health checks, the IPVS table' : 'keepalived: health checks, the IPVS table',
      // -n stays in the foreground (lvslab owns it through its namespace); -l -D log in detail to the log; -G no syslog.
      argv: ['ip', 'netns', 'exec', ns, 'keepalived', '-n', '-l', '-D', '-G', ...subsystems, '-f', files.config, '-p', files.pid, '-c', files.checkersPid],
      daemon: true,
      log: files.log,
    },
    {
      phase: 'keepalived',
      node,
      title: 'wait for keepalived to write the IPVS table',
      argv: ['ip', 'netns', 'exec', ns, 'ipvsadm', '-S', '-n'],
      until: { pattern: '^-a ', count: members, withinMs: KEEPALIVED_READY_MS, explainWith: files.log },
    },
  ];
  if (pair && index === 0) {
    steps.push({
      phase: 'keepalived',
      node,
      title: 'wait for the VRRP master to hold the VIP',
      argv: ['ip', '-n', ns, '-o', 'addr', 'show', 'dev', director.interfaces[0].name],
      until: { pattern: ` inet (${vips(lab).map(escaped).join('|')})/32 `, count: vips(lab).length, withinMs: KEEPALIVED_READY_MS, explainWith: files.log },
    });
  }
  return steps;
}

export function keepalivedSteps(lab: Lab): Step[] {
  return directorsOf(lab).flatMap((director, index) => directorSteps(lab, director, index));
}
