/**
 * What happens inside the imitated box, in order: what a booted Debian has (devpts, a hostname), its
 * network behind qemu's user-mode network, the checkout copied to /vagrant, the Vagrantfile's own
 * provisioning, Node's version, then lvslab's demo and test on the guest kernel's own IPVS.
 */
import { quoteArgument } from '../plan/render-script.js';
import { provisionerScript, type GuestStep } from './guest-steps.js';

/** Faults put in on purpose, to show that each kind of failure is named (see docs/benchmarks.md). */
export const BREAKS = ['network', 'package', 'provision'] as const;
export type Break = (typeof BREAKS)[number];

export interface BoxStepsOptions {
  /** The Vagrantfile's inline provisioning line. */
  provisioning: string;
  /** The host's copy of the checkout, shared read-only into the guest at the same path. */
  checkoutCopy: string;
  /** Run the demo and the labs after provisioning (the Node 18 root stops after Node's check). */
  labs: boolean;
  break?: Break;
}

/** qemu's user-mode network: the guest's address, its gateway and its name server. */
export const USER_NET = { address: '10.0.2.15/24', gateway: '10.0.2.2', nameserver: '10.0.2.3' } as const;

export function boxSteps(options: BoxStepsOptions): GuestStep[] {
  const steps: GuestStep[] = [
    {
      name: 'system',
      title: 'what a booted box has: /dev/pts, /dev/shm, hostname',
      script: [
        'mkdir -p /dev/pts /dev/shm',
        'mount -t devpts -o gid=5,mode=620 devpts /dev/pts',
        'mount -t tmpfs tmpfs /dev/shm',
        'hostname lvslab',
        'echo "Node before provisioning: $(node --version 2>/dev/null || echo none)"',
      ],
    },
    {
      name: 'network',
      title: "the guest's network reaches the Debian registry",
      script: [
        'modprobe virtio_net',
        'ip link set lo up',
        "card=$(ls /sys/class/net | grep -v '^lo$' | head -n 1)",
        '[ -n "$card" ] || { echo "no network card in the guest"; exit 1; }',
        'ip link set "$card" up',
        `ip addr add ${USER_NET.address} dev "$card"`,
        `ip route add default via ${USER_NET.gateway}`,
        `echo 'nameserver ${USER_NET.nameserver}' > /etc/resolv.conf`,
        // The hosts apt will use: URIs outside comments, in one-line and deb822 sources alike.
        "uris=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | grep -v -E '^\\s*#' | grep -o -E 'https?://[^/ ]+')",
        'hosts=$(echo "$uris" | sed -E \'s|https?://||\' | sort -u)',
        'for host in $hosts; do',
        `  getent hosts "$host" || { echo "no network inside the guest: cannot resolve $host (name server ${USER_NET.nameserver})"; exit 1; }`,
        '  timeout 10 bash -c "exec 3<>/dev/tcp/$host/80" || { echo "no network inside the guest: cannot connect to $host port 80"; exit 1; }',
        '  echo "reached $host"',
        'done',
        // The fault "package": apt may never install npm (the first package provisioning asks for), as a package that will not install.
        ...(options.break === 'package' ? [`printf 'Package: npm\\nPin: release *\\nPin-Priority: -1\\n' > /etc/apt/preferences.d/lvslab-break`] : []),
      ],
    },
    {
      name: 'copy',
      title: 'the checkout copied to /vagrant (as the rsync synced folder does)',
      script: [
        `cp -a ${quoteArgument(options.checkoutCopy)} /vagrant`,
        // The fault "provision": an incomplete copy, without the lock file npm ci needs.
        ...(options.break === 'provision' ? ['rm /vagrant/package-lock.json'] : []),
        'echo "/vagrant: $(find /vagrant -type f | wc -l) files"',
      ],
    },
    { name: 'provision', title: "the Vagrantfile's provisioning line, as root", script: provisionerScript(options.provisioning) },
    {
      name: 'node',
      title: "Node on PATH, as new as package.json's engines.node",
      script: [
        'hash -r',
        'command -v node || { echo "no node on PATH after provisioning"; exit 1; }',
        'echo "node $(node --version) at $(command -v node), npm $(npm --version)"',
        // The check .ci/provision makes, from the copy in /vagrant.
        'node /vagrant/.ci/node-floor.mjs',
      ],
    },
  ];
  if (!options.labs) return steps;
  return [
    ...steps,
    {
      name: 'demo',
      title: "npx lvslab demo --runner host (the guest kernel's IPVS)",
      script: ['cd /vagrant', 'npx lvslab demo --runner host'],
    },
    {
      name: 'test',
      title: 'npx lvslab test --runner host topologies/*.yaml',
      script: ['cd /vagrant', 'npx lvslab test --runner host topologies/*.yaml'],
    },
  ];
}
