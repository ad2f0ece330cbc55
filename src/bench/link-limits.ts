/**
 * The bottleneck of the throughput benchmark: token-bucket filters (tc tbf) on both ends of the
 * director's links and of every real server's link, so each link is limited in both directions
 * (a veth end's egress is its peer's ingress). Pure: argv and tc batch input, one command per namespace.
 */
import type { Lab, Node } from '../model/lab.js';

export interface LinkRates {
  /** The director's links, Mbit/s each way. */
  directorMbit: number;
  /** Each real server's link, Mbit/s each way. */
  serverMbit: number;
}

export interface LimitCommand {
  argv: string[];
  input: string;
}

/** A bucket of 32 KiB holds a few full-size segments at any rate used here (the kernel's minimum is rate/HZ). */
const tbf = (dev: string, mbit: number) => `qdisc replace dev ${dev} root tbf rate ${mbit}mbit burst 32kb latency 50ms`;

export function limitCommands(lab: Lab, rates: LinkRates): LimitCommand[] {
  const limited: Array<[Node, number]> = [[lab.director, rates.directorMbit], ...lab.realServers.map((rs): [Node, number] => [rs, rates.serverMbit])];
  const switchSide = limited.flatMap(([node, mbit]) => node.interfaces.map((i) => tbf(i.peer, mbit)));
  return [
    { argv: ['tc', '-n', lab.switchNamespace, '-batch', '-'], input: `${switchSide.join('\n')}\n` },
    ...limited.map(([node, mbit]) => ({
      argv: ['tc', '-n', node.namespace, '-batch', '-'],
      input: `${node.interfaces.map((i) => tbf(i.name, mbit)).join('\n')}\n`,
    })),
  ];
}
