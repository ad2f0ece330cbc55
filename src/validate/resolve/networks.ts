/** Resolver 1: the networks (defaults, overlaps, how many), and the check that a named network exists. */
import { overlaps, parseCidr, type Cidr } from '../../model/ipv4.js';
import { MAX_INTERFACES_PER_NODE } from '../../model/naming.js';
import type { YamlPath } from '../../model/problems.js';
import { didYouMean } from '../did-you-mean.js';
import { DEFAULT_NETWORKS, listed, type ResolveContext } from './raw.js';

export interface Networks {
  names: string[];
  subnets: Map<string, Cidr>;
  /** Reports a network that does not exist (at the key that names it, or at `networks` for a default); true when it exists. */
  check(path: YamlPath, name: string): boolean;
}

export function resolveNetworks({ raw, report }: ResolveContext): Networks {
  const rawNetworks = raw.networks ?? DEFAULT_NETWORKS;
  const names = Object.keys(rawNetworks);
  const subnets = new Map<string, Cidr>();
  for (const [name, net] of Object.entries(rawNetworks)) {
    const cidr = parseCidr(net.subnet)!;
    for (const [other, otherCidr] of subnets) {
      if (overlaps(cidr, otherCidr)) report(['networks', name, 'subnet'], `subnet ${net.subnet} overlaps network "${other}" (${rawNetworks[other].subnet})`);
    }
    subnets.set(name, cidr);
  }
  if (names.length < 2) report(['networks'], 'at least two networks are needed: one for the clients, one for the director (the gateway routes between them)');
  if (names.length > MAX_INTERFACES_PER_NODE) report(['networks'], `at most ${MAX_INTERFACES_PER_NODE} networks (the gateway has one interface on each)`);

  const check = (path: YamlPath, name: string): boolean => {
    if (subnets.has(name)) return true;
    const defaulted = path[path.length - 1] !== 'network' && path[path.length - 2] !== 'addresses';
    // A default network that is missing is a fact of `networks` when the node's key is not written at all.
    const where = defaulted && !(path[0] in raw) ? ['networks'] : path;
    const owner = { clients: "the clients'", director: "the director's", realServers: "the real servers'" }[String(path[0])] ?? 'the';
    const whose = defaulted ? `${owner} default network` : 'network';
    report(where, `${whose} "${name}" is not defined; networks: ${listed(names)}${didYouMean(name, names)}`);
    return false;
  };
  return { names, subnets, check };
}
