/**
 * keepalived as the writer of the IPVS table: the director's keepalived.conf, rendered from the Lab
 * (pure text, golden-tested with the plan), and the steps that install it, start keepalived's
 * health checker in the director's namespace and wait until it has written the table.
 */
import { dirname } from 'node:path';
import type { HealthCheck, Lab, Service, ServiceMember } from '../model/lab.js';
import type { Step } from '../model/step.js';
import { lvsMode } from '../modes/index.js';

/** keepalived's lb_kind for each ipvsadm forwarding flag (FULLNAT is NAT plus its source NAT rule). */
const LB_KIND = { '-m': 'NAT', '-g': 'DR', '-i': 'TUN' } as const;

/** What a udp check sends ("lvslab\n" in hex); the real servers' service answers any datagram. */
export const UDP_CHECK_PAYLOAD = Buffer.from('lvslab\n').toString('hex');

/** How long `up` waits for keepalived's first table (its checker starts in about a second, slower under emulation). */
export const KEEPALIVED_READY_MS = 20_000;

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
    `lb_kind ${LB_KIND[lvsMode(lab.mode).facts.forwardingFlag]}`,
    `protocol ${service.protocol.toUpperCase()}`,
    ...(service.persistence ? [`persistence_timeout ${service.persistence}`] : []),
    ...service.members.flatMap((m) => [`real_server ${m.address} ${m.port} {`, ...indent([`weight ${m.weight}`, ...checkerLines(check, m)]), '}']),
  ];
  return [`virtual_server ${service.vip} ${service.port} {`, ...indent(body), '}'];
}

/** The director's keepalived.conf: one virtual_server per service, a checker per real server. */
export function keepalivedConf(lab: Lab): string[] {
  return [
    `# keepalived.conf of lab ${lab.name}, director ${lab.director.name}: written by lvslab`,
    'global_defs {',
    `  router_id ${lab.name}-${lab.director.name}`,
    '}',
    ...lab.services.flatMap((s) => virtualServerLines(lab, s)),
  ];
}

/** Write the config, start keepalived's checker (no VRRP: one director), wait for its table. */
export function keepalivedSteps(lab: Lab): Step[] {
  const { files } = lab.keepalived!;
  const ns = lab.director.namespace;
  const node = lab.director.name;
  const members = lab.services.reduce((n, s) => n + s.members.length, 0);
  return [
    { phase: 'keepalived', node, title: "the director's run folder", argv: ['mkdir', '-p', dirname(files.config)] },
    // tee reads its standard input, which the runner feeds through a socket: `install /dev/stdin` cannot open that.
    { phase: 'keepalived', node, title: 'keepalived.conf', argv: ['tee', files.config], input: keepalivedConf(lab) },
    {
      phase: 'keepalived',
      node,
      title: 'keepalived: health checks, the IPVS table',
      // -n stays in the foreground (lvslab owns it through its namespace); -l -D log in detail to the log; -G no syslog.
      argv: ['ip', 'netns', 'exec', ns, 'keepalived', '-n', '-l', '-D', '-G', '-C', '-f', files.config, '-p', files.pid, '-c', files.checkersPid],
      daemon: true,
      log: files.log,
    },
    {
      phase: 'keepalived',
      node,
      title: 'wait for keepalived to write the IPVS table',
      argv: ['ip', 'netns', 'exec', ns, 'ipvsadm', '-S', '-n'],
      until: { linesStartingWith: '-a ', count: members, withinMs: KEEPALIVED_READY_MS, explainWith: files.log },
    },
  ];
}
