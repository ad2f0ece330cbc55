/**
 * Pure parsers for ipvsadm's listings (`ipvsadm -Ln` and `ipvsadm -Ln --stats --exact`), tested on captured text.
 */
export interface IpvsMember {
  address: string;
  forward?: string;
  weight?: number;
  activeConns?: number;
  inactiveConns?: number;
  conns?: number;
  inPackets?: number;
  outPackets?: number;
  inBytes?: number;
  outBytes?: number;
}

export interface IpvsService {
  protocol: 'tcp' | 'udp';
  address: string;
  scheduler?: string;
  flags?: string;
  conns?: number;
  inPackets?: number;
  outPackets?: number;
  inBytes?: number;
  outBytes?: number;
  members: IpvsMember[];
}

const SERVICE_LINE = /^(TCP|UDP)\s+(\S+)\s*(.*)$/;
const MEMBER_LINE = /^\s+->\s+(\S+)\s+(.*)$/;

/** `ipvsadm -Ln`: services with scheduler and flags, members with forward method, weight, connections. */
export function parseIpvsList(text: string): IpvsService[] {
  const services: IpvsService[] = [];
  for (const line of text.split('\n')) {
    const service = SERVICE_LINE.exec(line);
    if (service) {
      const [scheduler, ...flags] = service[3].trim().split(/\s+/).filter(Boolean);
      services.push({ protocol: service[1].toLowerCase() as 'tcp' | 'udp', address: service[2], scheduler, flags: flags.join(' ') || undefined, members: [] });
      continue;
    }
    const member = MEMBER_LINE.exec(line);
    if (member && services.length > 0 && member[1] !== 'RemoteAddress:Port') {
      const [forward, weight, active, inactive] = member[2].trim().split(/\s+/);
      services[services.length - 1].members.push({
        address: member[1],
        forward,
        weight: Number(weight),
        activeConns: Number(active),
        inactiveConns: Number(inactive),
      });
    }
  }
  return services;
}

/** `ipvsadm -Ln --stats --exact`: connection, packet and byte counters per service and member. */
export function parseIpvsStats(text: string): IpvsService[] {
  const services: IpvsService[] = [];
  const counters = (fields: string) => {
    const [conns, inPackets, outPackets, inBytes, outBytes] = fields.trim().split(/\s+/).map(Number);
    return { conns, inPackets, outPackets, inBytes, outBytes };
  };
  for (const line of text.split('\n')) {
    const service = SERVICE_LINE.exec(line);
    if (service) {
      services.push({ protocol: service[1].toLowerCase() as 'tcp' | 'udp', address: service[2], ...counters(service[3]), members: [] });
      continue;
    }
    const member = MEMBER_LINE.exec(line);
    if (member && services.length > 0 && /^[0-9\s]+$/.test(member[2]))
      services[services.length - 1].members.push({ address: member[1], ...counters(member[2]) });
  }
  return services;
}

/** Both listings joined by service and member address. */
export function mergeIpvs(list: IpvsService[], stats: IpvsService[]): IpvsService[] {
  return list.map((service) => {
    const counted = stats.find((s) => s.protocol === service.protocol && s.address === service.address);
    return {
      ...counted,
      ...service,
      members: service.members.map((m) => ({ ...counted?.members.find((c) => c.address === m.address), ...m })),
    };
  });
}
