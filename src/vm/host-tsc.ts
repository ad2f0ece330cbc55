/**
 * The host's TSC rate. Under software emulation the guest's TSC counts at the host's rate, but the
 * microvm machine has no HPET or ACPI timer to measure it against: when the kernel's quick PIT
 * calibration fails (a busy or slow host; one boot in five here) the guest has no clock and hangs.
 * Telling the guest the rate (`tsc_early_khz=`) removes the calibration altogether.
 */
import { readFile } from 'node:fs/promises';
import { ProcessRunner } from '../apply/runner.js';
import { VmError } from './vm-error.js';

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

/**
 * LVSLAB_TSC_KHZ, when set: a rate in kHz for a host whose own words are wrong or missing, or `none` to
 * say there is no rate to give (the pc machine then boots). Anything else is refused with what is allowed.
 */
export function tscKhzFromEnv(value: string | undefined): number | 'none' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'none') return 'none';
  const khz = Number(value);
  if (Number.isInteger(khz) && khz >= 100_000 && khz <= 20_000_000) return khz;
  throw new VmError(`LVSLAB_TSC_KHZ=${value.slice(0, 40)} is not a TSC rate: give whole kHz between 100000 and 20000000 (2.6 GHz is 2600000), or none`);
}

/** The host's TSC rate in kHz, or undefined when this host does not say (cpuinfo is no proof and the kernel log is unreadable or rotated). */
export async function hostTscKhz(env: NodeJS.ProcessEnv = process.env): Promise<number | undefined> {
  const asked = tscKhzFromEnv(env.LVSLAB_TSC_KHZ);
  if (asked !== undefined) return asked === 'none' ? undefined : asked;
  const fromCpuinfo = tscKhzFromCpuinfo(await readFile('/proc/cpuinfo', 'utf8').catch(() => ''));
  if (fromCpuinfo !== undefined) return fromCpuinfo;
  const log = await new ProcessRunner().run(['dmesg']);
  return log.exitCode === 0 ? tscKhzFromKernelLog(log.stdout) : undefined;
}
