#!/usr/bin/env node
/**
 * The lvslab command line. Each verb is a small function; errors are caught in one place below and
 * printed for a human: bad input exits 2, a failed step or check exits 1, a microVM failure 125.
 */
import { LabStateError, StepFailedError } from '../apply/errors.js';
import { TopologyError } from '../validate/problems.js';
import { VmError } from '../vm/vm-error.js';
import { UsageError } from './args.js';
import { VM_USAGE } from './vm-flags.js';

type Verb = (args: string[]) => Promise<number>;

const USAGE = `usage: lvslab <verb> [options]
  demo [--out DIR]                 the four modes side by side: up, verify, a table and path diagrams
  validate FILE...                 check topologies; every problem with file:line:col (no root needed)
  plan FILE [--json]               the exact commands that build the lab (no root needed)
  up FILE [--recreate] [--runner auto|host|vm]
  down FILE|NAME | --all           remove a lab (or every lab) by its ownership marks
  status [NAME] [--json]           nodes, addresses, MACs, routes, IPVS table, counters
  exec LAB NODE -- CMD...          run a command in a node's namespace
  verify FILE [--tap|--json|--junit] [--runner auto|host|vm]
                                   prove what the lab's mode promises, from packets and counters
  graph FILE [--out DIR] [--runner auto|host|vm]
                                   SVG and Mermaid of the lab with the observed request and reply paths
  test FILE... [--runner auto|host|vm] [--tap|--junit]
                                   up -> verify -> down for each topology
  bench [--quick] [--out DIR] [--tap] [--runner auto|host|vm]
                                   the LVS claim measured: director offload, throughput behind a
                                   rate-limited director by mode and real servers, lab cost at scale
  vm ${VM_USAGE} [--fetch-kernel] [--shell | -- CMD...]
                                   run a command in the IPVS microVM`;

/** Each verb's module is loaded only when it runs: under emulation every module costs start-up time. */
const VERBS: Record<string, () => Promise<Verb>> = {
  validate: async () => (await import('./lab-verbs.js')).validateVerb,
  plan: async () => (await import('./lab-verbs.js')).planVerb,
  up: async () => (await import('./lab-verbs.js')).upVerb,
  down: async () => (await import('./lab-verbs.js')).downVerb,
  status: async () => (await import('./lab-verbs.js')).statusVerb,
  exec: async () => (await import('./lab-verbs.js')).execVerb,
  verify: async () => (await import('./check-verbs.js')).verifyVerb,
  graph: async () => (await import('./check-verbs.js')).graphVerb,
  test: async () => (await import('./check-verbs.js')).testVerb,
  demo: async () => (await import('./demo-verb.js')).demoVerb,
  bench: async () => (await import('./bench-verb.js')).benchVerb,
  vm: async () => (await import('./vm-verb.js')).vmVerb,
};

async function main(argv: string[]): Promise<number> {
  const [verb, ...args] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    console.log(USAGE);
    return verb ? 0 : 2;
  }
  const load = VERBS[verb];
  if (!load) throw new UsageError(`unknown verb "${verb}"\n${USAGE}`);
  return (await load())(args);
}

function exitCodeOf(error: unknown): number {
  if (error instanceof TopologyError || error instanceof UsageError) return 2;
  if (error instanceof VmError) return 125;
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const known = error instanceof TopologyError || error instanceof UsageError || error instanceof VmError || error instanceof StepFailedError || error instanceof LabStateError;
    process.stderr.write(`${known ? (error as Error).message : (error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = exitCodeOf(error);
  },
);
