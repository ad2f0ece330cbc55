/** Runs the client probe (probe.pl) inside a client's namespace. */
import type { CommandRunner } from '../apply/runner.js';
import type { ProbeAnswer } from '../model/observation.js';
import { probeArgv, type ProbeTarget } from './probe-argv.js';

/** Runs the probe inside a client's namespace and returns its answers. */
export async function probeFrom(runner: CommandRunner, namespace: string, targets: ProbeTarget[]): Promise<ProbeAnswer[]> {
  const result = await runner.run(probeArgv(namespace, targets), { timeout: 120_000 });
  if (result.exitCode !== 0) throw new Error(`the probe failed in ${namespace}: ${result.stderr.trim() || `exit status ${result.exitCode}`}`);
  return JSON.parse(result.stdout) as ProbeAnswer[];
}
