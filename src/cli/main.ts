#!/usr/bin/env node
/**
 * The lvslab command line. Each verb is a small function; errors are caught in one place below and
 * printed for a human: bad input exits 2, a failed step or check exits 1, a microVM failure 125.
 */
import { FaultFailedError, LabStateError, StepFailedError } from '../apply/errors.js';
import { TopologyError } from '../model/problems.js';
import { VmError } from '../vm/vm-error.js';
import { UsageError } from './args.js';
import { didYouMean } from '../validate/did-you-mean.js';
import { asksForHelp, overview, verbHelp, VERB_HELP } from './help.js';

type Verb = (args: string[]) => Promise<number>;

/** Each verb's module is loaded only when it runs: under emulation every module costs start-up time. */
const VERBS: Record<string, () => Promise<Verb>> = {
  validate: async () => (await import('./lab-verbs.js')).validateVerb,
  plan: async () => (await import('./lab-verbs.js')).planVerb,
  up: async () => (await import('./lab-verbs.js')).upVerb,
  down: async () => (await import('./lab-verbs.js')).downVerb,
  status: async () => (await import('./lab-verbs.js')).statusVerb,
  exec: async () => (await import('./lab-verbs.js')).execVerb,
  fault: async () => (await import('./lab-verbs.js')).faultVerb,
  verify: async () => (await import('./check-verbs.js')).verifyVerb,
  scenario: async () => (await import('./check-verbs.js')).scenarioVerb,
  graph: async () => (await import('./check-verbs.js')).graphVerb,
  test: async () => (await import('./check-verbs.js')).testVerb,
  demo: async () => (await import('./demo-verb.js')).demoVerb,
  bench: async () => (await import('./bench-verb.js')).benchVerb,
  vm: async () => (await import('./vm-verb.js')).vmVerb,
};

async function main(argv: string[]): Promise<number> {
  const [verb, ...args] = argv;
  if (!verb) {
    process.stderr.write(`${overview()}\n`);
    return 2;
  }
  if (verb === '--help' || verb === '-h' || verb === 'help') {
    const topic = args[0];
    if (topic === undefined) console.log(overview());
    else if (VERB_HELP[topic]) console.log(verbHelp(topic));
    else throw new UsageError(`no verb "${topic}"${didYouMean(topic, Object.keys(VERB_HELP))}\n${overview()}`);
    return 0;
  }
  const load = VERBS[verb];
  if (!load) throw new UsageError(`unknown verb "${verb}"${didYouMean(verb, Object.keys(VERBS))}\n${overview()}`);
  if (asksForHelp(args)) {
    console.log(verbHelp(verb));
    return 0;
  }
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
    const known =
      error instanceof TopologyError ||
      error instanceof UsageError ||
      error instanceof VmError ||
      error instanceof StepFailedError ||
      error instanceof LabStateError ||
      error instanceof FaultFailedError;
    process.stderr.write(`${known ? (error as Error).message : ((error as Error)?.stack ?? String(error))}\n`);
    process.exitCode = exitCodeOf(error);
  },
);
