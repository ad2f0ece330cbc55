/** Runs the client probe (probe.cts) inside a client's namespace. */
import type { CommandRunner } from '../apply/runner.js';
import { PROBE_ENTRY } from '../model/package-root.js';
import type { ProbeAnswer, ProbeTarget } from './probe.cjs';

/** Runs the probe inside a client's namespace and returns its answers. */
export async function probeFrom(runner: CommandRunner, namespace: string, targets: ProbeTarget[]): Promise<ProbeAnswer[]> {
  const result = await runner.run(['ip', 'netns', 'exec', namespace, process.execPath, PROBE_ENTRY, JSON.stringify(targets)], { timeout: 120_000 });
  if (result.exitCode !== 0) throw new Error(`the probe failed in ${namespace}: ${result.stderr.trim() || `exit status ${result.exitCode}`}`);
  return JSON.parse(result.stdout) as ProbeAnswer[];
}
