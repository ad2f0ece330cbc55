import test from 'ava';
import { hostTscKhz, tscKhzFromCpuinfo, tscKhzFromEnv, tscKhzFromKernelLog } from '../../src/vm/host-tsc.js';

test('the kernel log gives the TSC rate: the refined calibration over the first detection', (t) => {
  t.is(tscKhzFromKernelLog('[    0.000057] tsc: Detected 2596.138 MHz processor\n'), 2596138);
  t.is(tscKhzFromKernelLog('[    0.000000] tsc: Detected 2596.138 MHz TSC\n'), 2596138);
  t.is(tscKhzFromKernelLog('[    0.000057] tsc: Detected 2400.000 MHz processor\n[    1.2] tsc: Refined TSC clocksource calibration: 2399.987 MHz\n'), 2399987);
  t.is(tscKhzFromKernelLog('[    0.1] clocksource: Switched to clocksource kvm-clock\n'), undefined);
  t.is(tscKhzFromKernelLog(''), undefined);
});

const cpuinfo = (flags: string, mhz = '2596.138') => `processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: ${mhz}\nflags\t\t: fpu ${flags}\n`;

test('cpuinfo is trusted only where its "cpu MHz" is the TSC rate: a fixed-rate TSC in a virtual machine or of a known frequency', (t) => {
  t.is(tscKhzFromCpuinfo(cpuinfo('tsc constant_tsc nonstop_tsc hypervisor')), 2596138);
  t.is(tscKhzFromCpuinfo(cpuinfo('tsc constant_tsc tsc_known_freq')), 2596138);
  // Bare metal: "cpu MHz" is the clock speed of the moment.
  t.is(tscKhzFromCpuinfo(cpuinfo('tsc constant_tsc nonstop_tsc', '1200.000')), undefined);
  t.is(tscKhzFromCpuinfo(cpuinfo('tsc hypervisor')), undefined);
  t.is(tscKhzFromCpuinfo(cpuinfo('tsc constant_tsc hypervisor', 'unknown')), undefined);
  t.is(tscKhzFromCpuinfo(''), undefined);
});

test('LVSLAB_TSC_KHZ overrides what the host says: a rate in kHz, or none; anything else is refused with what is allowed', async (t) => {
  t.is(tscKhzFromEnv(undefined), undefined);
  t.is(tscKhzFromEnv(''), undefined);
  t.is(tscKhzFromEnv('none'), 'none');
  t.is(tscKhzFromEnv('2596138'), 2596138);
  for (const bad of ['2.6GHz', '2596138.5', '-1', '99999', '20000001', 'NaN', 'Infinity', '0x27a0000']) {
    t.throws(
      () => tscKhzFromEnv(bad),
      { message: /^LVSLAB_TSC_KHZ=.* is not a TSC rate: give whole kHz between 100000 and 20000000 \(2\.6 GHz is 2600000\), or none$/ },
      bad,
    );
  }
  t.is(await hostTscKhz({ LVSLAB_TSC_KHZ: 'none' }), undefined);
  t.is(await hostTscKhz({ LVSLAB_TSC_KHZ: '3000000' }), 3000000);
});
