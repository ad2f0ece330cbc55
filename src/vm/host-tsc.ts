/**
 * The host's TSC rate. Under software emulation the guest's TSC counts at the host's rate, but the
 * microvm machine has no HPET or ACPI timer to measure it against: when the kernel's quick PIT
 * calibration fails (a busy or slow host; one boot in five here) the guest has no clock and hangs.
 * Telling the guest the rate (`tsc_early_khz=`) removes the calibration altogether.
 */
import { readFile } from 'node:fs/promises';
import { ProcessRunner } from '../apply/runner.js';

/** The rate the host kernel settled on, from its log: the refined calibration if there is one, else the first detection. */
export function tscKhzFromKernelLog(log: string): number | undefined {
  const refined = /tsc: Refined TSC clocksource calibration: ([0-9]+\.[0-9]+) MHz/.exec(log);
  const detected = /tsc: Detected ([0-9]+\.[0-9]+) MHz (processor|TSC)/.exec(log);
  const mhz = Number((refined ?? detected)?.[1]);
  return mhz > 0 ? Math.round(mhz * 1000) : undefined;
}

/**
 * /proc/cpuinfo's "cpu MHz" is the TSC rate only where the TSC's rate is fixed and known (constant_tsc,
 * and tsc_known_freq or a hypervisor: a virtual machine's kernel reports the rate it was given); on bare
 * metal it is the current clock speed, which is no use.
 */
export function tscKhzFromCpuinfo(cpuinfo: string): number | undefined {
  const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '').trim().split(/\s+/));
  if (!flags.has('constant_tsc') || !(flags.has('tsc_known_freq') || flags.has('hypervisor'))) return undefined;
  const mhz = Number(/^cpu MHz\s*:\s*([0-9]+\.[0-9]+)/m.exec(cpuinfo)?.[1]);
  return mhz > 0 ? Math.round(mhz * 1000) : undefined;
}

/** The host's TSC rate in kHz, or undefined when this host does not say (cpuinfo is no proof and the kernel log is unreadable or rotated). */
export async function hostTscKhz(): Promise<number | undefined> {
  const fromCpuinfo = tscKhzFromCpuinfo(await readFile('/proc/cpuinfo', 'utf8').catch(() => ''));
  if (fromCpuinfo !== undefined) return fromCpuinfo;
  const log = await new ProcessRunner().run(['dmesg']);
  return log.exitCode === 0 ? tscKhzFromKernelLog(log.stdout) : undefined;
}
