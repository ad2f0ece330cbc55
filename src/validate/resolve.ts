/**
 * Stage 2, validate/resolve: shape-checked YAML data becomes a typed Lab with every default filled
 * in, or every problem found is reported at once. Small resolvers in resolve/, run in this order
 * (problems are reported in it): networks, nodes, names, the nodes' networks, addresses, placements
 * (clients behind the gateway; the mode's rules, src/modes), services, health checks, a director pair; then the Lab is built
 * and its scenarios resolved against it.
 */
import { familyOf, type Lab, type Network } from '../model/lab.js';
import { assignAddresses6, servicesByFamily } from './resolve/addresses6.js';
import { contains, parseIPv4 } from '../model/ipv4.js';
import type { YamlPath } from '../model/problems.js';
import type { ShapeProblem } from './check-shape.js';
import { assignAddresses } from './resolve/addresses.js';
import { buildLab } from './resolve/build-lab.js';
import { checkNames } from './resolve/names.js';
import { resolveNetworks } from './resolve/networks.js';
import { checkNodeNetworks, placeNodes } from './resolve/nodes.js';
import { checkPlacements } from './resolve/placement-rules.js';
import type { RawService, RawTopology, ResolveContext } from './resolve/raw.js';
import { resolveServices } from './resolve/services.js';
import { resolveHealthChecks } from './resolve/health-checks.js';
import { resolveDirectorPair } from './resolve/director-pair.js';
import { resolveScenarios } from './resolve/scenarios.js';

export { DEFAULT_NETWORKS, type RawTopology } from './resolve/raw.js';

/** tcp 80 and udp 80 on the VIP, every real server, rr. */
const DEFAULT_SERVICES: RawService[] = [
  { protocol: 'tcp', port: 80 },
  { protocol: 'udp', port: 80 },
];

export function resolveTopology(raw: RawTopology, source: string): { lab?: Lab; problems: ShapeProblem[] } {
  const problems: ShapeProblem[] = [];
  const ctx: ResolveContext = { raw, report: (path: YamlPath, message: string) => problems.push({ path, message }) };
  const rawServices = raw.services ?? DEFAULT_SERVICES;
  const networks = resolveNetworks(ctx);
  const placements = placeNodes(ctx, networks);
  checkNames(ctx, placements);
  checkNodeNetworks(ctx, networks, placements);
  // IPv4 first: a service's IPv6 VIP (when it has one) is resolved by the IPv6 resolver.
  const rawServices4 = rawServices.map((s) => (s.vip !== undefined && familyOf(s.vip) === 'ipv6' ? { ...s, vip: undefined } : s));
  const addresses = assignAddresses(ctx, networks, placements, rawServices4);
  const addresses6 = assignAddresses6(ctx, networks, placements, addresses, rawServices);
  checkPlacements(ctx, networks, placements, addresses);
  const services4 = resolveHealthChecks(
    ctx,
    resolveServices(ctx, placements, addresses, rawServices4, addresses6.families),
    rawServices.map((s) => s.check),
  );
  const services = servicesByFamily(services4, addresses6);
  const vrrp = resolveDirectorPair(ctx, placements);
  if (problems.length > 0) return { problems };
  const lab = buildLab(raw, source, networks, placements, addresses, services, vrrp, addresses6);
  const scenarios = resolveScenarios(ctx, lab);
  if (problems.length > 0) return { problems };
  if (scenarios) lab.scenarios = scenarios;
  return { lab, problems: [] };
}

/** True when the address lies in one of the lab's networks (used by status and verify). */
export function networkOf(lab: Lab, address: string): Network | undefined {
  const value = parseIPv4(address);
  if (value === undefined) return undefined;
  return lab.networks.find((n) => contains({ address: parseIPv4(n.address)!, prefix: n.prefix }, value));
}
