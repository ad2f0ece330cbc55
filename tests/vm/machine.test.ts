import test from 'ava';
import { chooseMachine } from '../../src/vm/launch.js';
import { guestAslrFromEnv, machine, machineFromEnv, TCG_CPUS, tcgCpuFromEnv, type Channels, type Share } from '../../src/vm/machine.js';

const CHANNELS: Channels = { console: 'unix:/run/x/console.sock', out: '/run/x/out.sock', err: '/run/x/err.sock' };
const SHARES: Share[] = [
  { tag: 'lvsroot', path: '/', readonly: true },
  { tag: 'lvsrun', path: '/run/x,y', readonly: false },
];

test('LVSLAB_VM_MACHINE picks the machine: microvm by default, pc on request, anything else is refused with the choices', (t) => {
  t.is(machineFromEnv({}).kind, 'microvm');
  t.is(machineFromEnv({ LVSLAB_VM_MACHINE: '' }).kind, 'microvm');
  t.is(machineFromEnv({ LVSLAB_VM_MACHINE: 'pc' }).kind, 'pc');
  const error = t.throws(() => machineFromEnv({ LVSLAB_VM_MACHINE: 'q35' }));
  t.is(error?.message, 'LVSLAB_VM_MACHINE=q35 is not a machine lvslab boots: microvm (the default) or pc (the previous, slower boot path)');
});

test('LVSLAB_VM_ASLR: no randomization in the guest unless on; anything else is refused with the choices', (t) => {
  t.false(guestAslrFromEnv({}));
  t.false(guestAslrFromEnv({ LVSLAB_VM_ASLR: '' }));
  t.false(guestAslrFromEnv({ LVSLAB_VM_ASLR: 'off' }));
  t.true(guestAslrFromEnv({ LVSLAB_VM_ASLR: 'on' }));
  const error = t.throws(() => guestAslrFromEnv({ LVSLAB_VM_ASLR: 'yes' }));
  t.is(error?.message, 'LVSLAB_VM_ASLR=yes is not a choice: off (the default: no address-space randomization in the guest) or on');
});

test('LVSLAB_VM_CPU: x86-64-v2 under software emulation unless max; anything else is refused with the choices', (t) => {
  t.is(tcgCpuFromEnv({}), 'x86-64-v2');
  t.is(tcgCpuFromEnv({ LVSLAB_VM_CPU: '' }), 'x86-64-v2');
  t.is(tcgCpuFromEnv({ LVSLAB_VM_CPU: 'max' }), 'max');
  t.is(TCG_CPUS['x86-64-v2'], 'qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt,+arat');
  const choices = 'x86-64-v2 (the default under software emulation: no AVX, no byte-wise rep movsb) or max (every feature qemu emulates)';
  for (const asked of ['host', 'qemu64', 'toString', 'max,-erms']) {
    const error = t.throws(() => tcgCpuFromEnv({ LVSLAB_VM_CPU: asked }));
    t.is(error?.message, `LVSLAB_VM_CPU=${asked} is not a choice: ${choices}`);
  }
});

test('microvm: no PCI, virtio over MMIO for the shares and the network, the streams on two virtio serial ports', (t) => {
  const args = machine('microvm').deviceArgs(CHANNELS, SHARES, undefined).join(' ');
  t.regex(args, /-machine microvm,isa-serial=on,acpi=on/);
  t.regex(args, /-serial unix:\/run\/x\/console\.sock/);
  t.regex(args, /virtserialport,chardev=out,nr=1/);
  t.regex(args, /virtserialport,chardev=err,nr=2/);
  t.regex(args, /-fsdev local,id=fs1,path=\/run\/x,,y,security_model=none,multidevs=remap -device virtio-9p-device,fsdev=fs1,mount_tag=lvsrun/);
  t.regex(args, /path=\/,security_model=none,readonly=on/);
  t.notRegex(args, /pci|netdev/);
  t.regex(machine('microvm').deviceArgs(CHANNELS, SHARES, 'isolated').join(' '), /-netdev user,id=net0,restrict=on -device virtio-net-device,netdev=net0$/);
});

test('pc: three ISA serial ports and virtio-pci, the network card without a boot ROM', (t) => {
  const args = machine('pc').deviceArgs(CHANNELS, SHARES, 'user').join(' ');
  t.notRegex(args, /-machine/);
  t.regex(args, /-serial unix:\/run\/x\/console\.sock -serial unix:\/run\/x\/out\.sock -serial unix:\/run\/x\/err\.sock/);
  t.regex(args, /virtio-9p-pci,fsdev=fs0,mount_tag=lvsroot/);
  t.regex(args, /-netdev user,id=net0 -device virtio-net-pci,netdev=net0,romfile=$/);
});

test('a shell has its console on this terminal', (t) => {
  t.regex(
    machine('microvm')
      .deviceArgs({ ...CHANNELS, console: 'mon:stdio' }, SHARES, undefined)
      .join(' '),
    /-serial mon:stdio/,
  );
});

test('the microvm guest is told the TSC rate where it is known, and under emulation that its TSC is reliable; only there is it a must; pc needs none', (t) => {
  const words = '8250.nr_uarts=1 cryptomgr.notests rodata=off mitigations=off init_on_alloc=0';
  t.is(machine('microvm').cmdline('tcg', 2596138), `${words} tsc_early_khz=2596138 tsc=reliable`);
  t.is(machine('microvm').cmdline('kvm', 2596138), `${words} tsc_early_khz=2596138`);
  t.is(machine('microvm').cmdline('kvm', undefined), words);
  t.is(machine('microvm').cmdline('tcg', undefined), undefined);
  t.is(machine('pc').cmdline('tcg', undefined), '8250.nr_uarts=4');
});

test('a host that does not say its TSC rate boots the pc machine under emulation, and says so; KVM keeps microvm', (t) => {
  const fallback = chooseMachine('microvm', 'tcg', undefined);
  t.is(fallback.machine.kind, 'pc');
  t.regex(fallback.note ?? '', /does not say its TSC rate.*booting the pc machine/);
  t.is(chooseMachine('microvm', 'tcg', 2_000_000).machine.kind, 'microvm');
  t.is(chooseMachine('microvm', 'tcg', 2_000_000).note, undefined);
  t.is(chooseMachine('microvm', 'kvm', undefined).machine.kind, 'microvm');
  t.is(chooseMachine('pc', 'tcg', 2_000_000).machine.kind, 'pc');
});

test('each machine loads its own transport before the root share: virtio_mmio and virtio_console on microvm, virtio_pci on pc', (t) => {
  t.deepEqual(machine('microvm').bootModules, ['virtio_mmio', 'virtio_console', '9pnet_virtio', '9p', 'overlay']);
  t.deepEqual(machine('pc').bootModules, ['virtio_pci', '9pnet_virtio', '9p', 'overlay']);
  t.true(machine('microvm').pvh);
  t.false(machine('pc').pvh);
});
