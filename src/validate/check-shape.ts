/**
 * Checks raw YAML data against the subset of JSON Schema that schema.ts uses, collecting every
 * problem with its path and the allowed choices (and a "did you mean" for near misses).
 */
import { parseCidr, parseIPv4, isNetworkAddress } from '../model/ipv4.js';
import { isLinkLocal, isNetworkAddress6, LINK_LOCAL, MULTICAST, overlaps6, parseCidr6, parseIPv6 } from '../model/ipv6.js';
import type { YamlPath } from '../load/load-topology.js';
import { didYouMean } from './did-you-mean.js';
import type { SchemaNode } from './schema.js';
import { clip } from '../model/problems.js';

export interface ShapeProblem {
  path: YamlPath;
  message: string;
  /** Point at the key rather than the value (unknown keys). */
  atKey?: boolean;
}

export function checkShape(data: unknown, schema: SchemaNode, path: YamlPath = []): ShapeProblem[] {
  if (schema.anyOf) return checkAnyOf(data, schema.anyOf, path);
  switch (schema.type) {
    case 'object':
      return checkObject(data, schema, path);
    case 'array':
      return checkArray(data, schema, path);
    case 'string':
      return checkString(data, schema, path);
    case 'integer':
      return checkInteger(data, schema, path);
    case 'number':
      return checkNumber(data, schema, path);
    case 'boolean':
      return typeof data === 'boolean' ? [] : [{ path, message: `expected true or false, got ${describe(data)}` }];
    default:
      return [];
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return clip(JSON.stringify(value));
}

function expectation(schema: SchemaNode): string {
  switch (schema.type) {
    case 'integer':
      return schema.minimum === schema.maximum ? `the number ${schema.minimum}` : `an integer from ${schema.minimum} to ${schema.maximum}`;
    case 'number':
      return `a number from ${schema.minimum} to ${schema.maximum}`;
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    default:
      return schema.enum ? `one of ${schema.enum.join(', ')}` : (schema['x-allowed'] ?? 'a string');
  }
}

/** Whether data is of the option's JSON type (the option's own rules are checked after). */
function fitsType(data: unknown, option: SchemaNode): boolean {
  switch (option.type) {
    case 'integer':
    case 'number':
      return typeof data === 'number';
    case 'boolean':
      return typeof data === 'boolean';
    case 'string':
      return typeof data === 'string';
    case 'array':
      return Array.isArray(data);
    case 'object':
      return data !== null && typeof data === 'object' && !Array.isArray(data);
    default:
      return false;
  }
}

function checkAnyOf(data: unknown, options: SchemaNode[], path: YamlPath): ShapeProblem[] {
  const byType = options.find((option) => fitsType(data, option));
  if (byType) return checkShape(data, byType, path);
  return [{ path, message: `expected ${options.map(expectation).join(' or ')}, got ${describe(data)}` }];
}

function checkObject(data: unknown, schema: SchemaNode, path: YamlPath): ShapeProblem[] {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return [{ path, message: `expected a mapping, got ${describe(data)}` }];
  }
  const record = data as Record<string, unknown>;
  const problems: ShapeProblem[] = [];
  const known = Object.keys(schema.properties ?? {});
  for (const key of schema.required ?? []) {
    if (!(key in record)) problems.push({ path, message: `missing required key "${key}"` });
  }
  for (const [key, value] of Object.entries(record)) {
    const keyPath = [...path, key];
    // Own keys only: "__proto__" or "constructor" must not find Object.prototype's members.
    const property = schema.properties && Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
    if (property) {
      problems.push(...checkShape(value, property, keyPath));
      continue;
    }
    if (typeof schema.additionalProperties === 'object') {
      if (schema.propertyNames) {
        problems.push(...checkString(key, schema.propertyNames, keyPath).map((p) => ({ ...p, atKey: true, message: `name ${p.message}` })));
      }
      problems.push(...checkShape(value, schema.additionalProperties, keyPath));
      continue;
    }
    if (schema.additionalProperties === false) {
      problems.push({ path: keyPath, atKey: true, message: `unknown key "${clip(key)}"; allowed: ${known.join(', ')}${didYouMean(key, known)}` });
    }
  }
  return problems;
}

function checkArray(data: unknown, schema: SchemaNode, path: YamlPath): ShapeProblem[] {
  if (!Array.isArray(data)) return [{ path, message: `expected a list, got ${describe(data)}` }];
  const problems: ShapeProblem[] = [];
  if (schema.minItems !== undefined && data.length < schema.minItems) {
    problems.push({ path, message: `expected at least ${schema.minItems} item(s), got ${data.length}` });
  }
  if (schema.maxItems !== undefined && data.length > schema.maxItems) {
    problems.push({ path, message: `expected at most ${schema.maxItems} items, got ${data.length}` });
  }
  if (schema.items) data.forEach((item, i) => problems.push(...checkShape(item, schema.items!, [...path, i])));
  return problems;
}

/** An IPv6 address a lab may use: parsed strictly, not link-local, not multicast. */
function usableIPv6(text: string): boolean {
  const value = parseIPv6(text);
  return value !== undefined && !isLinkLocal(value) && !overlaps6({ address: value, prefix: 128 }, MULTICAST);
}

function checkString(data: unknown, schema: SchemaNode, path: YamlPath): ShapeProblem[] {
  if (typeof data !== 'string') return [{ path, message: `expected ${expectation(schema)}, got ${describe(data)}` }];
  if (schema.enum && !schema.enum.includes(data)) {
    return [{ path, message: `${clip(JSON.stringify(data))} is not allowed; allowed: ${schema.enum.join(', ')}${didYouMean(data, schema.enum)}` }];
  }
  const invalid = (why = ''): ShapeProblem[] => [{ path, message: `${clip(JSON.stringify(data))} is not valid; expected ${schema['x-allowed']}${why}` }];
  const v6 = '; IPv6 goes in subnet6, vip6 or a service vip (networks and nodes are IPv4, dual-stack with a subnet6)';
  if (schema.format === 'ipv4' && parseIPv4(data) === undefined) return invalid(parseIPv6(data) === undefined ? '' : v6);
  if (schema.format === 'cidr') {
    const cidr = parseCidr(data);
    if (!cidr || cidr.prefix < 8 || cidr.prefix > 30 || !isNetworkAddress(cidr)) return invalid(parseCidr6(data) === undefined ? '' : v6);
  }
  if (schema.format === 'ipv6' && !usableIPv6(data)) return invalid();
  if (schema.format === 'ip' && parseIPv4(data) === undefined && !usableIPv6(data)) return invalid();
  if (schema.format === 'cidr6') {
    const cidr = parseCidr6(data);
    if (!cidr || cidr.prefix < 48 || cidr.prefix > 112 || !isNetworkAddress6(cidr) || overlaps6(cidr, LINK_LOCAL) || overlaps6(cidr, MULTICAST))
      return invalid();
  }
  if (schema.pattern && !new RegExp(schema.pattern).test(data)) return invalid();
  if (schema.maxLength !== undefined && Buffer.byteLength(data) > schema.maxLength) return invalid();
  return [];
}

function checkInteger(data: unknown, schema: SchemaNode, path: YamlPath): ShapeProblem[] {
  const ok = typeof data === 'number' && Number.isInteger(data) && data >= (schema.minimum ?? -Infinity) && data <= (schema.maximum ?? Infinity);
  return ok ? [] : [{ path, message: `expected ${expectation(schema)}, got ${describe(data)}` }];
}

function checkNumber(data: unknown, schema: SchemaNode, path: YamlPath): ShapeProblem[] {
  const ok = typeof data === 'number' && Number.isFinite(data) && data >= (schema.minimum ?? -Infinity) && data <= (schema.maximum ?? Infinity);
  return ok ? [] : [{ path, message: `expected ${expectation(schema)}, got ${describe(data)}` }];
}
