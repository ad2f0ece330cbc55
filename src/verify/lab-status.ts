/**
 * Observes a running lab from the machine alone (no YAML needed): every namespace's interfaces with
 * addresses, MACs and counters, its routes, and the director's IPVS table with statistics.
 */
import type { CommandRunner } from '../apply/runner.js';
import type { OwnedNamespace } from '../apply/ownership.js';
import { mergeIpvs, parseIpvsList, parseIpvsStats, type IpvsService } from './parse-ipvsadm.js';

export interface InterfaceStatus {
  name: string;
  mac: string;
  state: string;
  addresses: string[];
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
}

export interface NodeStatus {
  node: string;
  namespace: string;
  interfaces: InterfaceStatus[];
  routes: string[];
  ipvs?: IpvsService[];
}

export interface LabStatus {
  lab: string;
  planHash: string;
  nodes: NodeStatus[];
}

interface IpLink {
  ifname: string;
  address?: string;
  operstate?: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
  stats64?: { rx: { bytes: number; packets: number }; tx: { bytes: number; packets: number } };
}

/** `ip -j -s addr show` parsed into interfaces (the loopback left out unless it holds more than 127.0.0.1). */
export function parseInterfaces(json: string): InterfaceStatus[] {
  return (JSON.parse(json || '[]') as IpLink[])
    .map((link) => ({
      name: link.ifname,
      mac: link.address ?? '',
      state: link.operstate ?? 'UNKNOWN',
      addresses: (link.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
      rxBytes: link.stats64?.rx.bytes ?? 0,
      txBytes: link.stats64?.tx.bytes ?? 0,
      rxPackets: link.stats64?.rx.packets ?? 0,
      txPackets: link.stats64?.tx.packets ?? 0,
    }))
    .filter((i) => i.name !== 'lo' || i.addresses.some((a) => !a.startsWith('127.')));
}

/** `ip -j route show` as one line per route. */
export function parseRoutes(json: string): string[] {
  return (JSON.parse(json || '[]') as Array<Record<string, unknown>>).map((r) =>
    [r.dst, r.gateway ? `via ${r.gateway}` : '', r.dev ? `dev ${r.dev}` : '', r.prefsrc ? `src ${r.prefsrc}` : ''].filter(Boolean).join(' '),
  );
}

async function json(runner: CommandRunner, argv: string[]): Promise<string> {
  const result = await runner.run(argv);
  if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

export async function labStatus(owned: OwnedNamespace[], runner: CommandRunner): Promise<LabStatus> {
  const nodes: NodeStatus[] = [];
  for (const entry of owned) {
    const ns = entry.namespace;
    const node: NodeStatus = {
      node: entry.node,
      namespace: ns,
      interfaces: parseInterfaces(await json(runner, ['ip', '-n', ns, '-j', '-s', 'addr', 'show'])),
      routes: parseRoutes(await json(runner, ['ip', '-n', ns, '-j', 'route', 'show'])),
    };
    const list = await runner.run(['ip', 'netns', 'exec', ns, 'ipvsadm', '-Ln']);
    const services = list.exitCode === 0 ? parseIpvsList(list.stdout) : [];
    if (services.length > 0) {
      const stats = await runner.run(['ip', 'netns', 'exec', ns, 'ipvsadm', '-Ln', '--stats', '--exact']);
      node.ipvs = mergeIpvs(services, parseIpvsStats(stats.stdout));
    }
    nodes.push(node);
  }
  return { lab: owned[0]?.lab ?? '', planHash: owned[0]?.planHash ?? '', nodes };
}
