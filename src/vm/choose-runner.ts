/**
 * `--runner auto|host|vm`: labs need a kernel with IPVS. `auto` uses the host when IPVS is loaded or
 * loadable there, else the microVM, and says which and why.
 */
import { existsSync } from 'node:fs';
import { ProcessRunner } from '../apply/runner.js';

export type RunnerChoice = 'auto' | 'host' | 'vm';

export interface RunnerDecision {
  runner: 'host' | 'vm';
  why: string;
}

export async function ipvsOnHost(): Promise<{ usable: boolean; why: string }> {
  if (existsSync('/proc/net/ip_vs')) return { usable: true, why: 'IPVS is loaded in this kernel' };
  const probe = await new ProcessRunner().run(['modprobe', '-n', '-q', 'ip_vs']);
  if (probe.exitCode === 0) return { usable: true, why: 'IPVS is loadable (modprobe finds ip_vs)' };
  return { usable: false, why: 'this kernel has no IPVS (no /proc/net/ip_vs, and modprobe cannot find ip_vs)' };
}

export async function chooseRunner(choice: RunnerChoice): Promise<RunnerDecision> {
  if (choice === 'host') return { runner: 'host', why: 'asked for --runner host' };
  if (choice === 'vm') return { runner: 'vm', why: 'asked for --runner vm' };
  if (process.env.LVSLAB_IN_VM === '1') return { runner: 'host', why: 'already inside the lvslab microVM' };
  // Labs are built from here, in the resident microVM this variable names (`lvslab vm --serve`).
  if (process.env.LVSLAB_GUEST) return { runner: 'host', why: `labs run in the resident microVM at ${process.env.LVSLAB_GUEST} (LVSLAB_GUEST)` };
  const ipvs = await ipvsOnHost();
  return ipvs.usable ? { runner: 'host', why: ipvs.why } : { runner: 'vm', why: `${ipvs.why}: using the microVM` };
}
