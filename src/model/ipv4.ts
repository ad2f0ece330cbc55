/** IPv4 arithmetic on unsigned 32-bit numbers; strict dotted-quad parsing (no leading zeros, no shorthand). */

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIPv4(value: number): string {
  // A plan must never say NaN.NaN.NaN.NaN: a missing address is a bug to stop at, not to print.
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`not an IPv4 address value: ${value}`);
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export interface Cidr {
  address: number;
  prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || prefix === undefined || !/^[0-9]{1,2}$/.test(prefix)) return undefined;
  const value = parseIPv4(address);
  const bits = Number(prefix);
  if (value === undefined || bits > 32) return undefined;
  return { address: value, prefix: bits };
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** True when the address has no host bits set for that prefix. */
export function isNetworkAddress(cidr: Cidr): boolean {
  return cidr.address % blockSize(cidr.prefix) === 0;
}

export function contains(net: Cidr, address: number): boolean {
  const size = blockSize(net.prefix);
  return address >= net.address && address < net.address + size;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b.address) || contains(b, a.address);
}

/** A usable host address: inside the subnet, neither its network nor its broadcast address. */
export function isHostOf(net: Cidr, address: number): boolean {
  const size = blockSize(net.prefix);
  return contains(net, address) && address !== net.address && address !== net.address + size - 1;
}

/** The n-th address of a subnet (n = 1 is the first host). */
export function nthAddress(net: Cidr, n: number): number {
  return net.address + n;
}

export function hostCount(net: Cidr): number {
  return Math.max(0, blockSize(net.prefix) - 2);
}
