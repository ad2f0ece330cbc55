/**
 * IPv6 arithmetic on 128-bit bigints (issue 14's groundwork): strict parsing of RFC 4291 text (eight groups of
 * at most four hex digits, one `::`, an IPv4 tail; no zone ids), RFC 5952 canonical text, subnets and the host
 * addresses a lab may hand out. A v6 subnet has no broadcast address, but two kinds are never a node's: the
 * subnet-router anycast address (the host part all zero, RFC 4291 2.6.1) and the reserved subnet anycast
 * addresses (the top 128 of a /64's interface identifiers, RFC 2526); link-local (fe80::/10) is never a lab's.
 */
import { parseIPv4 } from './ipv4.js';

export const IPV6_BITS = 128;
const MAX = (1n << 128n) - 1n;
const GROUP = /^[0-9a-fA-F]{1,4}$/;

export interface Cidr6 {
  address: bigint;
  prefix: number;
}

/** The groups of one side of `::`; only the address's very end (`ends`) may be an IPv4 tail. */
function groupsOf(text: string, ends: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (ends && i === parts.length - 1 && part.includes('.')) {
      // An IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
      const v4 = parseIPv4(part);
      if (v4 === undefined) return undefined;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
    } else if (GROUP.test(part)) groups.push(parseInt(part, 16));
    else return undefined;
  }
  return groups;
}

export function parseIPv6(text: string): bigint | undefined {
  if (text.length > 45 || text.includes('%')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1], true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  // `::` stands for at least one zero group; without it there must be exactly eight.
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...Array<number>(missing).fill(0), ...tail].reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** RFC 5952: lowercase, no leading zeros, the longest run of two or more zero groups (the first of equals) as `::`. */
export function formatIPv6(value: bigint): string {
  // A plan must never say NaN: a value out of range is a bug to stop at, not to print.
  if (typeof value !== 'bigint' || value < 0n || value > MAX) throw new RangeError(`not an IPv6 address value: ${String(value)}`);
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start === -1) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

export function parseCidr6(text: string): Cidr6 | undefined {
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || prefix === undefined || !/^[0-9]{1,3}$/.test(prefix)) return undefined;
  const value = parseIPv6(address);
  const bits = Number(prefix);
  if (value === undefined || bits > IPV6_BITS) return undefined;
  return { address: value, prefix: bits };
}

const blockSize = (prefix: number) => 1n << BigInt(IPV6_BITS - prefix);

export function isNetworkAddress6(net: Cidr6): boolean {
  return net.address % blockSize(net.prefix) === 0n;
}

export function contains6(net: Cidr6, address: bigint): boolean {
  return address >= net.address && address < net.address + blockSize(net.prefix);
}

export function overlaps6(a: Cidr6, b: Cidr6): boolean {
  return contains6(a, b.address) || contains6(b, a.address);
}

export const LINK_LOCAL: Cidr6 = { address: 0xfe80n << 112n, prefix: 10 };

export const MULTICAST: Cidr6 = { address: 0xffn << 120n, prefix: 8 };

export function isLinkLocal(address: bigint): boolean {
  return contains6(LINK_LOCAL, address);
}

/** How many reserved subnet anycast addresses end a subnet: 128 for a /64 (RFC 2526), none for smaller ones. */
function reservedAtTop(net: Cidr6): bigint {
  return net.prefix === 64 ? 128n : 0n;
}

/** A usable host address: inside the subnet, not its subnet-router anycast address, not a reserved anycast one, not link-local. */
export function isHostOf6(net: Cidr6, address: bigint): boolean {
  const top = net.address + blockSize(net.prefix) - reservedAtTop(net);
  return contains6(net, address) && address !== net.address && address < top && !isLinkLocal(address);
}

/** Host addresses a subnet can hand out (a bigint: a /64 has 2^64 - 129). */
export function hostCount6(net: Cidr6): bigint {
  const count = blockSize(net.prefix) - 1n - reservedAtTop(net);
  return count > 0n ? count : 0n;
}

/** The n-th host of a subnet (n = 1 is the first), or undefined past the last one. */
export function nthAddress6(net: Cidr6, n: bigint): bigint | undefined {
  if (n < 1n || n > hostCount6(net)) return undefined;
  return net.address + n;
}

/**
 * A dual-stack node's IPv6 address mirrors its IPv4 host number, read as hex digits: host .11 of 10.10.0.0/24
 * is ::11 of fd00:10::/64, the VIP .100 is ::100. Undefined when the mirror is not a host of the subnet.
 */
export function mirrorHost6(net: Cidr6, hostNumber: number): bigint | undefined {
  if (!Number.isInteger(hostNumber) || hostNumber < 1) return undefined;
  const address = net.address + BigInt(`0x${hostNumber.toString(10)}`);
  return isHostOf6(net, address) ? address : undefined;
}
