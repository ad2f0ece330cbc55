#!/usr/bin/env zx
// Provisioning after Node and npm ci (called by .ci/provision): the Debian packages lvslab runs on,
// the guest kernel for the microVM, and vagrant with vagrant-libvirt (the test suite runs
// `vagrant validate` on the Vagrantfile). Idempotent; run as root from the checkout.
//   --no-microvm   a host whose kernel has IPVS: no qemu, no guest kernel
//   --dry-run      print the commands instead of running them
import { $, argv } from 'zx';

const withMicrovm = argv.microvm !== false;
const packages = [
  'ipvsadm',
  'iproute2',
  'iptables',
  'nftables',
  'tcpdump',
  'curl',
  'kmod',
  'keepalived',
  // The real servers' service and the client probe are Perl with no module (perl-base: part of every Debian).
  'perl-base',
  ...(withMicrovm ? ['qemu-system-x86', 'cpio', 'busybox-static', 'xz-utils'] : []),
  'vagrant',
  'vagrant-libvirt',
];
const steps = [
  ['apt-get', 'update', '-qq'],
  ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages],
  ...(withMicrovm ? [['node', 'dist/src/cli/main.js', 'vm', '--fetch-kernel']] : []),
];

$.env.DEBIAN_FRONTEND = 'noninteractive';
for (const step of steps) {
  if (argv['dry-run']) console.log(step.join(' '));
  else await $({ stdio: ['ignore', 'ignore', 'inherit'] })`${step}`;
}
console.log(`provisioned: ${packages.join(' ')}${withMicrovm ? ', and the microVM kernel' : ''}`);
