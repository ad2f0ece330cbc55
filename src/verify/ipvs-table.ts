/**
 * The director's IPVS table as declared (the plan's `ipvsadm -R` lines) against the live one
 * (`ipvsadm -S -n`, the same format): every difference named, so that a scheduler changed at run
 * time, a member added or dropped, a weight, a port or a forwarding method is caught. With
 * keepalived writing the table, this is the check that a keepalived.conf matches the topology.
 */

export interface VirtualEntry {
  /** `tcp 10.10.0.100:80` */
  service: string;
  scheduler: string;
  persistence?: number;
  /** Options ipvsadm keeps that lvslab never declares (netmask, scheduler flags, one-packet). */
  extra: string[];
  /** `10.10.0.10:80` -> its forwarding method and weight */
  members: Map<string, { method: string; weight: number; extra: string[] }>;
}

const PROTOCOL: Record<string, string> = { '-t': 'tcp', '-u': 'udp', '-f': 'fwmark', '--tcp-service': 'tcp', '--udp-service': 'udp' };
const METHOD: Record<string, string> = {
  '-g': 'dr (-g)',
  '-m': 'nat (-m)',
  '-i': 'tun (-i)',
  '--gatewaying': 'dr (-g)',
  '--masquerading': 'nat (-m)',
  '--ipip': 'tun (-i)',
};
/** Defaults ipvsadm -S prints that say nothing: no thresholds, the whole-address persistence mask, IPIP as the tunnel type. */
const NEUTRAL = new Set(['-x 0', '-y 0', '-M 255.255.255.255', '-M 128', '--tun-type ipip']);

/** Parses `-A`/`-a` lines (ipvsadm -S -n output, or the plan's rules) into a table. */
export function parseIpvsRules(lines: readonly string[]): Map<string, VirtualEntry> {
  const table = new Map<string, VirtualEntry>();
  for (const line of lines) {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words[0] !== '-A' && words[0] !== '-a') continue;
    let service = '';
    let real = '';
    let scheduler = '';
    let persistence: number | undefined;
    let method = 'dr (-g)'; // ipvsadm's default forwarding method
    let weight = 1;
    const extra: string[] = [];
    for (let i = 1; i < words.length; i++) {
      const word = words[i];
      const value = words[i + 1];
      // An option followed by a word takes it as its value.
      const takesValue = value !== undefined && !value.startsWith('-') && !METHOD[word];
      if (PROTOCOL[word]) service = `${PROTOCOL[word]} ${value}`;
      else if (word === '-s') scheduler = value;
      else if (word === '-p') persistence = Number(value);
      else if (word === '-r') real = value;
      else if (word === '-w') weight = Number(value);
      else if (METHOD[word]) method = METHOD[word];
      else extra.push(takesValue ? `${word} ${value}` : word);
      if (takesValue) i++;
    }
    const kept = extra.filter((e) => !NEUTRAL.has(e));
    if (words[0] === '-A') table.set(service, { service, scheduler, persistence, extra: kept, members: new Map() });
    else table.get(service)?.members.set(real, { method, weight, extra: kept });
  }
  return table;
}

/** Every way the live table differs from the declared one, in words; empty when they are equal. */
export function ipvsDifferences(declared: Map<string, VirtualEntry>, live: Map<string, VirtualEntry>): string[] {
  const differences: string[] = [];
  for (const [key, want] of declared) {
    const have = live.get(key);
    if (!have) {
      differences.push(`${key}: missing`);
      continue;
    }
    if (have.scheduler !== want.scheduler) differences.push(`${key}: scheduler ${have.scheduler}, declared ${want.scheduler}`);
    if (have.persistence !== want.persistence) differences.push(`${key}: persistence ${have.persistence ?? 'none'}, declared ${want.persistence ?? 'none'}`);
    if (have.extra.join(' ') !== want.extra.join(' '))
      differences.push(`${key}: options ${have.extra.join(' ') || 'none'}, declared ${want.extra.join(' ') || 'none'}`);
    for (const [real, m] of want.members) {
      const h = have.members.get(real);
      if (!h) differences.push(`${key}: member ${real} missing`);
      else {
        if (h.method !== m.method) differences.push(`${key}: member ${real} forwards by ${h.method}, declared ${m.method}`);
        if (h.weight !== m.weight) differences.push(`${key}: member ${real} weight ${h.weight}, declared ${m.weight}`);
        if (h.extra.join(' ') !== m.extra.join(' '))
          differences.push(`${key}: member ${real} options ${h.extra.join(' ') || 'none'}, declared ${m.extra.join(' ') || 'none'}`);
      }
    }
    for (const real of have.members.keys()) if (!want.members.has(real)) differences.push(`${key}: member ${real} not declared`);
  }
  for (const key of live.keys()) if (!declared.has(key)) differences.push(`${key}: not declared`);
  return differences;
}
