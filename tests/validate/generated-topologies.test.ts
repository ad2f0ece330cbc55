/**
 * Hostile and generated topologies, beyond the hand-written corpus in fixtures/bad:
 * - mutations: every path of every shipped topology replaced by hostile values, or deleted;
 * - fast-check: arbitrary topologies built from plausible and implausible parts.
 * For each: validation either gives a Lab or a TopologyError (never another exception), and every
 * accepted Lab has a plan with unique, in-subnet, non-reserved addresses and nothing NaN-like in it.
 */
import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseTopology } from '../../src/load/load-topology.js';
import { allNodes, type Lab } from '../../src/model/lab.js';
import { isHostOf, parseIPv4 } from '../../src/model/ipv4.js';
import { isHostOf6, parseIPv6 } from '../../src/model/ipv6.js';
import { familyView, isDualStack } from '../../src/model/family-view.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { TopologyError } from '../../src/model/problems.js';
import { readConfFiles } from '../../src/load/keepalived-conf.js';
import { validateLoaded } from '../../src/validate/validate-topology.js';
import { GOLDEN_SERVICE_COMMAND, SHIPPED, TOPOLOGIES } from '../helpers/paths.js';
import { parse } from 'yaml';

type Outcome = { lab: Lab } | { problems: TopologyError['problems'] };

/** Validates YAML text; anything but a Lab or a TopologyError is a failure of the property. */
function validateText(text: string): Outcome {
  return outcomeOf(() => validateLoaded(parseTopology(text, 'gen.yaml'), []));
}

function outcomeOf(validate: () => Lab): Outcome {
  try {
    return { lab: validate() };
  } catch (error) {
    if (error instanceof TopologyError) return { problems: error.problems };
    throw error;
  }
}

const NAN_LIKE = /\b(NaN|undefined|Infinity|null)\b|\[object /;

/** Everything a plan promises about addresses and values; returns what is wrong, or nothing. */
export function planViolations(lab: Lab): string[] {
  const wrong: string[] = [];
  const plan = buildPlan(lab, { service: GOLDEN_SERVICE_COMMAND });
  for (const step of plan.steps) {
    for (const text of [...step.argv, ...(step.input ?? [])]) {
      // Node names are lowercase: "undefined" could be one, so look for the forms a bug prints.
      if (
        NAN_LIKE.test(
          text.replace(
            new RegExp(
              `\\b(${allNodes(lab)
                .map((n) => n.name)
                .join('|')})\\b`,
              'g',
            ),
            '',
          ),
        )
      )
        wrong.push(`step "${step.title}" has ${JSON.stringify(text)}`);
    }
  }
  // Each family on its own: the IPv6 view puts the IPv6 addresses where the IPv4 ones stand.
  for (const family of ['ipv4', ...(isDualStack(lab) ? (['ipv6'] as const) : [])] as const) {
    const view = familyView(lab, family);
    const parse = (text: string): bigint | undefined => (family === 'ipv4' ? toBig(parseIPv4(text)) : parseIPv6(text));
    const hostOf = (network: { address: string; prefix: number }, address: bigint) => {
      const net = parse(network.address)!;
      return family === 'ipv4'
        ? isHostOf({ address: Number(net), prefix: network.prefix }, Number(address))
        : isHostOf6({ address: net, prefix: network.prefix }, address);
    };
    const seen = new Map<string, string>();
    const vips = new Set(view.services.map((s) => s.vip));
    for (const node of allNodes(view)) {
      for (const iface of node.interfaces) {
        if (family === 'ipv6' && !lab.networks.find((n) => n.name === iface.network)!.address6) continue;
        const network = view.networks.find((n) => n.name === iface.network)!;
        const address = parse(iface.address);
        if (address === undefined || !hostOf(network, address))
          wrong.push(`${node.name} has ${iface.address}, not a host of ${network.address}/${network.prefix}`);
        if (iface.prefix !== network.prefix) wrong.push(`${node.name}'s prefix ${iface.prefix} is not its network's`);
        if (seen.has(iface.address)) wrong.push(`${iface.address} belongs to ${seen.get(iface.address)} and ${node.name}`);
        if (vips.has(iface.address)) wrong.push(`${node.name} has the VIP ${iface.address} as its address`);
        seen.set(iface.address, node.name);
      }
      if (node.defaultGateway !== undefined && parse(node.defaultGateway) === undefined) wrong.push(`${node.name}'s gateway ${node.defaultGateway}`);
    }
    const lan = view.networks.find((n) => n.name === view.director.interfaces[0].network)!;
    for (const vip of vips) {
      const address = parse(vip);
      if (address === undefined || !hostOf(lan, address)) wrong.push(`VIP ${vip} is outside the director's network`);
    }
    for (const service of view.services)
      for (const m of service.members) if (parse(m.address) === undefined) wrong.push(`member ${m.address} of ${service.vip} is not an ${family} address`);
  }
  for (const service of lab.services) {
    const members = service.members.map((m) => `${m.address}:${m.port}`);
    if (new Set(members).size !== members.length) wrong.push(`service ${service.vip}:${service.port} has a destination twice`);
  }
  return wrong;
}

const toBig = (n: number | undefined) => (n === undefined ? undefined : BigInt(n));

function holds(outcome: Outcome): string[] {
  if ('lab' in outcome) return planViolations(outcome.lab);
  return outcome.problems.flatMap((p) => {
    const bad: string[] = [];
    if (!(p.line >= 1 && p.col >= 1)) bad.push(`problem without a position: ${p.message}`);
    if (p.message.length > 600) bad.push(`a message of ${p.message.length} characters echoes the input`);
    if (/please use|YAML\.|Maximum call stack|TypeError|ReferenceError|\bat \w+ \(/.test(p.message)) bad.push(`the parser's language: ${p.message}`);
    return bad;
  });
}

// ---- Mutations of the shipped topologies ----

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  1.5,
  65536,
  4294967296,
  Number.POSITIVE_INFINITY,
  'NaN',
  '',
  ' ',
  '0x10',
  '10.10.0.256',
  '10.10.0.0',
  '10.10.0.255',
  '10.10.0.1',
  '10.10.0.2',
  '10.10.0.100',
  '198.51.100.1',
  '0.0.0.0',
  '255.255.255.255',
  '10.10.0.0/24',
  '10.10.0.0/31',
  '::1',
  'fd00:10::100',
  'fd00:10::1',
  'fe80::1',
  'ff02::1',
  'fd00:10::/64',
  'fd00:10::/120',
  '2001:db8::/32',
  'ipv6',
  'dual',
  '__proto__',
  'constructor',
  'x'.repeat(300),
  [],
  {},
  [null],
  { __proto__: null },
  'rs1',
  'lan',
  'outside',
];

function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((v, i) => paths(v, [...prefix, i]))];
  if (value && typeof value === 'object') return [prefix, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
  return [prefix];
}

function withValue(root: unknown, path: Array<string | number>, value: unknown | typeof DELETE): unknown {
  if (path.length === 0) return value === DELETE ? {} : value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === DELETE) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}
const DELETE = Symbol('delete');

for (const name of SHIPPED) {
  test(`every path of ${name}.yaml, deleted or set to a hostile value, gives a Lab with a sound plan or positioned problems`, async (t) => {
    const original = parse(readFileSync(join(TOPOLOGIES, `${name}.yaml`), 'utf8')) as unknown;
    let cases = 0;
    let accepted = 0;
    for (const path of paths(original)) {
      for (const value of [DELETE, ...HOSTILE_VALUES]) {
        // Parsed once (YAML that stringify wrote always parses): the keepalived.conf files it names (dr-own) are read
        // from the shipped folder as load reads them, then the same parse is validated.
        const loaded = parseTopology(stringify(withValue(original, path, value)), join(TOPOLOGIES, `${name}.yaml`));
        const confs = await readConfFiles(loaded);
        const outcome = outcomeOf(() => validateLoaded(loaded, confs));
        cases++;
        if ('lab' in outcome) accepted++;
        const wrong = holds(outcome);
        if (wrong.length > 0)
          return t.fail(`${path.join('.') || '(root)'} = ${String(value === DELETE ? '(deleted)' : JSON.stringify(value))}:\n${wrong.join('\n')}`);
      }
    }
    t.log(`${cases} mutated topologies, ${accepted} accepted`);
    t.true(cases > 100);
    t.true(accepted > 0 && accepted < cases);
  });
}

// ---- Generated topologies ----

const octet = fc.integer({ min: 0, max: 255 });
const someIPv4 = fc.oneof(
  fc.tuple(fc.constantFrom(10, 198, 192), octet, octet, octet).map((p) => p.join('.')),
  fc.tuple(fc.constant('10.10.0'), fc.constantFrom(0, 1, 2, 3, 10, 11, 50, 100, 101, 254, 255)).map(([p, h]) => `${p}.${h}`),
  fc.tuple(fc.constant('198.51.100'), fc.constantFrom(0, 1, 10, 100, 255)).map(([p, h]) => `${p}.${h}`),
);
const someSubnet = fc.oneof(
  fc.constantFrom('198.51.100.0/24', '10.10.0.0/24', '10.30.1.0/24', '10.10.0.0/30', '10.10.0.0/29', '10.10.0.0/25', '10.0.0.0/8', '10.10.0.128/25'),
  fc.tuple(octet, octet, fc.integer({ min: 8, max: 30 })).map(([a, b, p]) => `10.${a}.${b}.0/${p}`),
);
const netName = fc.constantFrom('outside', 'lan', 'rsnet1', 'far', 'lann');
const nodeName = fc.constantFrom('client', 'client2', 'gateway', 'director', 'rs1', 'rs2', 'rs3', 'switch', 'web');
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const placed = fc.record({ name: maybe(nodeName), network: maybe(netName), address: maybe(someIPv4) }, { requiredKeys: [] });

const topology = fc.record(
  {
    name: fc.constantFrom('gen', 'lab2'),
    mode: fc.constantFrom('nat', 'dr', 'tun', 'fullnat'),
    vip: maybe(someIPv4),
    networks: maybe(fc.dictionary(netName, fc.record({ subnet: someSubnet }), { minKeys: 1, maxKeys: 4 })),
    clients: maybe(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.array(placed, { minLength: 1, maxLength: 3 }))),
    gateway: maybe(fc.record({ name: maybe(nodeName), addresses: maybe(fc.dictionary(netName, someIPv4, { maxKeys: 3 })) }, { requiredKeys: [] })),
    director: maybe(placed),
    realServers: maybe(
      fc.oneof(
        fc.integer({ min: 1, max: 12 }),
        fc.array(
          fc.record(
            {
              name: maybe(nodeName),
              network: maybe(netName),
              address: maybe(someIPv4),
              weight: maybe(fc.integer({ min: 0, max: 3 })),
              gateway: maybe(someIPv4),
            },
            { requiredKeys: [] },
          ),
          { minLength: 1, maxLength: 5 },
        ),
      ),
    ),
    services: maybe(
      fc.array(
        fc.record(
          {
            protocol: maybe(fc.constantFrom('tcp', 'udp')),
            port: fc.integer({ min: 1, max: 90 }),
            vip: maybe(someIPv4),
            realPort: maybe(fc.constantFrom(80, 8080)),
            scheduler: maybe(fc.constantFrom('rr', 'wrr', 'sh')),
            persistence: maybe(fc.integer({ min: 1, max: 300 })),
            realServers: maybe(fc.array(nodeName, { minLength: 1, maxLength: 4 })),
            weights: maybe(fc.dictionary(nodeName, fc.integer({ min: 0, max: 3 }), { maxKeys: 2 })),
          },
          { requiredKeys: ['port'] },
        ),
        { minLength: 1, maxLength: 3 },
      ),
    ),
  },
  { requiredKeys: ['name', 'mode'] },
);

/** Mostly valid labs: the default networks, real servers by count or named, services over real members. */
const plausible = fc.integer({ min: 1, max: 10 }).chain((count) => {
  const names = Array.from({ length: count }, (_, i) => `rs${i + 1}`);
  return fc.record(
    {
      name: fc.constant('gen'),
      mode: fc.constantFrom('nat', 'dr', 'tun', 'fullnat'),
      vip: maybe(fc.constantFrom('10.10.0.100', '10.10.0.5', '10.10.0.200', '10.10.0.12')),
      clients: maybe(fc.integer({ min: 1, max: 3 })),
      director: maybe(
        fc.record({ address: maybe(fc.constantFrom('10.10.0.1', '10.10.0.2', '10.10.0.3', '10.10.0.9', '10.10.0.11', '10.10.0.100')) }, { requiredKeys: [] }),
      ),
      realServers: fc.oneof(
        fc.constant(count),
        fc.tuple(
          ...names.map((name) =>
            fc.record(
              {
                name: fc.constant(name),
                address: maybe(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(100)).map((h) => `10.10.0.${h}`)),
                weight: maybe(fc.integer({ min: 0, max: 5 })),
              },
              { requiredKeys: ['name'] },
            ),
          ),
        ),
      ),
      services: maybe(
        fc.array(
          fc.record(
            {
              protocol: maybe(fc.constantFrom('tcp', 'udp')),
              port: fc.integer({ min: 1, max: 65535 }),
              realPort: maybe(fc.constantFrom(80, 8080)),
              scheduler: maybe(fc.constantFrom('rr', 'wrr', 'sh', 'lc')),
              persistence: maybe(fc.integer({ min: 1, max: 86400 })),
              realServers: maybe(fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: count + 1 })),
            },
            { requiredKeys: ['port'] },
          ),
          { minLength: 1, maxLength: 3 },
        ),
      ),
    },
    { requiredKeys: ['name', 'mode', 'realServers'] },
  );
});

const someSubnet6 = fc.constantFrom(
  'fd00:10::/64',
  'fd00:10::/112',
  'fd00:10::/120',
  'fd00::/48',
  '2001:db8:100::/64',
  'fe80::/64',
  'fd00:10::1/64',
  '10.10.0.0/24',
);
const someIPv6 = fc.oneof(
  fc.constantFrom('fd00:10::', 'fd00:10::1', 'fd00:10::2', 'fd00:10::100', 'fd00:99::10', '2001:db8:100::10', 'fe80::1', 'ff02::1', '::1', '10.10.0.5'),
  fc.integer({ min: 1, max: 0x1ff }).map((h) => `fd00:10::${h.toString(16)}`),
);

/** Dual-stack labs: IPv6 subnets, VIPs, families and addresses, mostly plausible, some hostile. */
const dualStack = fc.integer({ min: 1, max: 6 }).chain((count) => {
  const names = Array.from({ length: count }, (_, i) => `rs${i + 1}`);
  return fc.record(
    {
      name: fc.constant('gen'),
      mode: fc.constantFrom('nat', 'dr', 'tun', 'fullnat'),
      vip6: maybe(someIPv6),
      networks: maybe(
        fc.record({
          outside: fc.record({ subnet: fc.constant('198.51.100.0/24'), subnet6: maybe(fc.constantFrom('2001:db8:100::/64', 'fd00:10::/64', 'fd00::/48')) }),
          lan: fc.record({ subnet: fc.constant('10.10.0.0/24'), subnet6: maybe(someSubnet6) }),
        }),
      ),
      gateway: maybe(fc.record({ addresses6: maybe(fc.dictionary(fc.constantFrom('lan', 'outside', 'far'), someIPv6, { maxKeys: 2 })) }, { requiredKeys: [] })),
      director: maybe(fc.record({ address6: maybe(someIPv6) }, { requiredKeys: [] })),
      realServers: fc.tuple(...names.map((name) => fc.record({ name: fc.constant(name), address6: maybe(someIPv6) }, { requiredKeys: ['name'] }))),
      services: maybe(
        fc.array(
          fc.record(
            {
              protocol: maybe(fc.constantFrom('tcp', 'udp')),
              port: fc.integer({ min: 1, max: 90 }),
              family: maybe(fc.constantFrom('ipv4', 'ipv6', 'dual')),
              vip: maybe(fc.oneof(someIPv6, fc.constant('10.10.0.100'))),
              realServers: maybe(fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: count })),
            },
            { requiredKeys: ['port'] },
          ),
          { minLength: 1, maxLength: 3 },
        ),
      ),
    },
    { requiredKeys: ['name', 'mode', 'realServers'] },
  );
});

test('any generated dual-stack topology validates to a Lab whose IPv6 addresses are unique hosts of their subnets, or to positioned problems', (t) => {
  let accepted = 0;
  let served6 = 0;
  fc.assert(
    fc.property(dualStack, (raw) => {
      const outcome = validateText(yamlOf(raw));
      if ('lab' in outcome) {
        accepted++;
        if (outcome.lab.services.some((s) => s.vip.includes(':'))) served6++;
      }
      const wrong = holds(outcome);
      if (wrong.length > 0) throw new Error(wrong.join('\n'));
    }),
    { numRuns: 2000, seed: 20261202 },
  );
  t.log(`${accepted} of 2000 accepted, ${served6} of them serving IPv6`);
  t.true(served6 > 30, 'the generator must reach labs that serve IPv6');
});

/** YAML without the keys fast-check left undefined. */
function yamlOf(value: unknown): string {
  return stringify(JSON.parse(JSON.stringify(value)));
}

test('any generated topology validates to a Lab with a sound plan, or to positioned problems; never a crash', (t) => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(topology, plausible), (raw) => {
      const outcome = validateText(yamlOf(raw));
      if ('lab' in outcome) accepted++;
      const wrong = holds(outcome);
      if (wrong.length > 0) throw new Error(wrong.join('\n'));
    }),
    { numRuns: 3000, seed: 20261127 },
  );
  t.log(`${accepted} of 3000 generated topologies accepted`);
  t.true(accepted > 30, 'the generator must reach accepted labs too');
});

test('any text at all, YAML or not, gives a Lab or positioned problems; never a crash', (t) => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        topology.map(yamlOf).chain((y) => fc.nat(y.length).map((n) => y.slice(0, n))),
      ),
      (text) => {
        const wrong = holds(validateText(text));
        if (wrong.length > 0) throw new Error(wrong.join('\n'));
      },
    ),
    { numRuns: 3000, seed: 7 },
  );
  t.pass();
});
