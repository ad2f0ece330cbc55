/**
 * The two virtual machines the guest can boot on; everything that differs between them lives here.
 *   microvm  qemu's minimal machine: no PCI, no firmware when the kernel has a PVH entry, virtio over
 *            MMIO (found through ACPI), the command's streams on virtio serial ports. The default.
 *   pc       the previous path (i440fx, SeaBIOS, bzImage, virtio-pci, three ISA serial ports), kept
 *            selectable with LVSLAB_VM_MACHINE=pc so benchmarks can compare both in one run.
 */
import { VmError } from './vm-error.js';

export const MACHINE_KINDS = ['microvm', 'pc'] as const;
export type MachineKind = (typeof MACHINE_KINDS)[number];

export interface Share {
  tag: string;
  path: string;
  readonly: boolean;
}

/** Where the guest's channels end on the host: the console (a socket, or `mon:stdio` for a shell) and the command's two streams. */
export interface Channels {
  console: string;
  out: string;
  err: string;
}

export interface Machine {
  kind: MachineKind;
  /** Modules the initramfs loads before the root share can be mounted. */
  bootModules: readonly string[];
  /** Whether a PVH kernel image (no firmware, no decompressor) can be used instead of the bzImage. */
  pvh: boolean;
  /** The guest's devices for the command's stdout and stderr, and the shell line that prepares them. */
  guestStreams: { prepare: string; out: string; err: string };
  /** qemu arguments for the machine, its console and stream channels, the 9p shares and the network card. */
  deviceArgs(channels: Channels, shares: readonly Share[], network: 'user' | 'isolated' | undefined): string[];
  /**
   * Kernel command-line words of this machine under this accelerator, or undefined when it cannot boot
   * reliably here (the caller then takes the pc machine).
   */
  cmdline(accel: 'kvm' | 'tcg', tscKhz: number | undefined): string | undefined;
}

/** One 9p export per share; multidevs=remap because the host root spans several file systems. */
function shareArgs(device: string, shares: readonly Share[]): string[] {
  return shares.flatMap((share, i) => [
    '-fsdev',
    `local,id=fs${i},path=${share.path.replaceAll(',', ',,')},security_model=none${share.readonly ? ',readonly=on' : ''},multidevs=remap`,
    '-device',
    `${device},fsdev=fs${i},mount_tag=${share.tag}`,
  ]);
}

// romfile= skips the card's boot ROM: nothing boots from the network.
function networkArgs(device: string, network: 'user' | 'isolated' | undefined, extra = ''): string[] {
  if (!network) return [];
  return ['-netdev', `user,id=net0${network === 'isolated' ? ',restrict=on' : ''}`, '-device', `${device},netdev=net0${extra}`];
}

const microvm: Machine = {
  kind: 'microvm',
  bootModules: ['virtio_mmio', 'virtio_console', '9pnet_virtio', '9p', 'overlay'],
  pvh: true,
  // Ports 1 and 2 of the first virtio serial device (port 0 is reserved for a console).
  guestStreams: { prepare: ':', out: '/dev/vport0p1', err: '/dev/vport0p2' },
  // No crypto self-tests and no read-only kernel pages: a throwaway guest, and 0.6 s of 1.5 under emulation.
  // No Spectre mitigations (retpolines, RSB filling) and no zeroing of every kernel allocation: 3-4% of a lane's
  // guest CPU under emulation (CI's verifier-fails-dr file, three pairs of runs); the guest runs its user's own commands.
  // The TSC's rate is given wherever it is known (host-tsc.ts): under emulation it must be, or the guest
  // may have no clock; KVM's guest would also learn it from kvm-clock.
  // Under emulation the TSC is also declared reliable: qemu counts it from the host's TSC and never lets it go back,
  // but the kernel's watchdog compared it with jiffies, which lag on a busy host, and fell back to jiffies: a clock
  // without high resolution, so a tick 250 times a second even when the guest was idle (2% of a core each).
  cmdline: (accel, tscKhz) => {
    const words = '8250.nr_uarts=1 cryptomgr.notests rodata=off mitigations=off init_on_alloc=0';
    if (tscKhz !== undefined) return `${words} tsc_early_khz=${tscKhz}${accel === 'tcg' ? ' tsc=reliable' : ''}`;
    return accel === 'kvm' ? words : undefined;
  },
  deviceArgs: (channels, shares, network) => [
    '-machine',
    'microvm,isa-serial=on,acpi=on',
    '-serial',
    channels.console,
    '-device',
    'virtio-serial-device,max_ports=3',
    '-chardev',
    `socket,id=out,path=${channels.out}`,
    '-device',
    'virtserialport,chardev=out,nr=1,name=lvslab.out',
    '-chardev',
    `socket,id=err,path=${channels.err}`,
    '-device',
    'virtserialport,chardev=err,nr=2,name=lvslab.err',
    ...shareArgs('virtio-9p-device', shares),
    ...networkArgs('virtio-net-device', network),
  ],
};

const pc: Machine = {
  kind: 'pc',
  bootModules: ['virtio_pci', '9pnet_virtio', '9p', 'overlay'],
  pvh: false,
  guestStreams: { prepare: 'stty -F /dev/ttyS1 raw -echo; stty -F /dev/ttyS2 raw -echo', out: '/dev/ttyS1', err: '/dev/ttyS2' },
  cmdline: () => '8250.nr_uarts=4',
  deviceArgs: (channels, shares, network) => [
    '-serial',
    channels.console,
    '-serial',
    `unix:${channels.out}`,
    '-serial',
    `unix:${channels.err}`,
    ...shareArgs('virtio-9p-pci', shares),
    ...networkArgs('virtio-net-pci', network, ',romfile='),
  ],
};

const MACHINES: Record<MachineKind, Machine> = { microvm, pc };

/** The machine LVSLAB_VM_MACHINE asks for (microvm unless set); a value it cannot be is an error naming the choices. */
export function machineFromEnv(env: NodeJS.ProcessEnv = process.env): Machine {
  const asked = env.LVSLAB_VM_MACHINE;
  if (asked === undefined || asked === '') return microvm;
  if ((MACHINE_KINDS as readonly string[]).includes(asked)) return MACHINES[asked as MachineKind];
  throw new VmError(`LVSLAB_VM_MACHINE=${asked} is not a machine lvslab boots: microvm (the default) or pc (the previous, slower boot path)`);
}

/**
 * Whether the guest randomizes its processes' address spaces: not unless LVSLAB_VM_ASLR=on (the previous path,
 * for comparisons). Under emulation qemu keys its translated code by virtual address, so with randomization each
 * process translated libc, the loader and its program anew: a command cost two to three times as much.
 */
export function guestAslrFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const asked = env.LVSLAB_VM_ASLR;
  if (asked === undefined || asked === '' || asked === 'off') return false;
  if (asked === 'on') return true;
  throw new VmError(`LVSLAB_VM_ASLR=${asked.slice(0, 40)} is not a choice: off (the default: no address-space randomization in the guest) or on`);
}

/**
 * The CPU the guest is given under software emulation (under KVM it is always max). x86-64-v2 is qemu64 with
 * SSSE3 to SSE4.2 and POPCNT: every x86-64-v2 program runs (RHEL 9's baseline), and there is no AVX and no ERMS
 * (a byte-wise `rep movsb` under TCG) for glibc and the kernel to copy with: 10-15% less of the guest's time.
 * ARAT (the APIC timer runs in every idle state, as qemu's does): without it the kernel cannot stop the tick of an
 * idle CPU on a machine with no HPET (microvm), and the idle guest is woken 250 times a second.
 * max (every feature qemu emulates) is the previous path, for comparisons and for binaries built for x86-64-v3.
 */
export const TCG_CPUS = { 'x86-64-v2': 'qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+arat', max: 'max' } as const;
export type TcgCpu = keyof typeof TCG_CPUS;
export const DEFAULT_TCG_CPU: TcgCpu = 'x86-64-v2';

/** The CPU LVSLAB_VM_CPU asks for under software emulation (x86-64-v2 unless set); anything else is an error naming the choices. */
export function tcgCpuFromEnv(env: NodeJS.ProcessEnv = process.env): TcgCpu {
  const asked = env.LVSLAB_VM_CPU;
  if (asked === undefined || asked === '') return DEFAULT_TCG_CPU;
  if (Object.hasOwn(TCG_CPUS, asked)) return asked as TcgCpu;
  const choices = 'x86-64-v2 (the default under software emulation: no AVX, no byte-wise rep movsb) or max (every feature qemu emulates)';
  throw new VmError(`LVSLAB_VM_CPU=${asked.slice(0, 40)} is not a choice: ${choices}`);
}

export function machine(kind: MachineKind): Machine {
  return MACHINES[kind];
}
