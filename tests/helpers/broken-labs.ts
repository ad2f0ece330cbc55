/**
 * A verifier that cannot fail is worth nothing: each assertion is shown failing on a lab broken on
 * purpose at run time, with a message that names the node or hop. The cases, in two groups (two test
 * files, so that the suite can run them in two microVMs at once); registerBrokenLabs makes them tests.
 */
import test, { type ExecutionContext } from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { labDown, type LifecycleOptions } from '../../src/apply/lab-lifecycle.js';
import { machineLifecycle } from '../../src/session/lab-machine.js';
import type { Lab } from '../../src/model/lab.js';
import { withLab } from '../../src/session/with-lab.js';
import { SERVICE_COMMAND, SERVICE_PROGRAM, SERVICE_READY } from '../../src/model/package-root.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import type { CheckResult } from '../../src/verify/result.js';
import { verifyLab, type VerifyPart } from '../../src/verify/run-verify.js';
import { holders } from '../../src/verify/failover.js';
import { readUntil } from '../../src/verify/read-until.js';
import { TOPOLOGIES } from './paths.js';
import { inNs, killIn, onLab, requireLabMachine, startOnLab } from './lab-machine.js';

const options = (): LifecycleOptions => machineLifecycle();

/** Starts a real server's service of the test's own (beside or instead of the plan's), once it serves. */
const startService = (ns: string, node: string, ...listeners: string[]) =>
  startOnLab(['ip', 'netns', 'exec', ns, ...SERVICE_COMMAND, node, ...listeners], { ready: SERVICE_READY });

/** A real server that answers ARP for every address it holds, the VIP on lo included. */
const answersArpForAll = (ns: string) =>
  inNs(ns, 'sysctl', '-q', '-w', ...['all', 'eth0'].flatMap((dev) => [`net.ipv4.conf.${dev}.arp_ignore=0`, `net.ipv4.conf.${dev}.arp_announce=0`]));

export interface BrokenCase {
  title: string;
  /** A shipped topology's name, or YAML text. */
  topology: string;
  /** Breaks the running lab (given as built, for cases that read it). */
  breakIt: (lab: Lab) => Promise<unknown>;
  /** Checks (by name) that must fail, and the node or hop each must name. */
  fails: Array<{ name: RegExp; where: RegExp; observed?: RegExp }>;
  /**
   * The parts verified, healthy and broken (all by default). A lab verified in part here is verified in
   * full by the suite's labs stage (`lvslab test`): dr-keepalived and dr-pair.
   */
  parts?: VerifyPart[];
}

const TCP_ONLY = (name: string, mode: string, extra = '') => `name: ${name}\nmode: ${mode}\nrealServers: 2\nservices:\n  - { port: 80${extra} }\n`;

const TUN_TCP =
  'name: tuntcp\nmode: tun\nnetworks:\n  outside: { subnet: 198.51.100.0/24 }\n  lan: { subnet: 10.10.0.0/24 }\n  rsnet1: { subnet: ' +
  '10.20.1.0/24 }\n  rsnet2: ' +
  '' +
  '' +
  '{ subnet: 10.20.2.0/24 }\nrealServers:\n  - { name: rs1, network: rsnet1, address: 10.20.1.10 }\n  - { name: rs2, network: rsnet2, address: 10.20.2.10 ' +
  '}\nservices:\n  - { port: 80 }\n';

/** Answers, scheduling and ARP: what the client and the gateway see. */
export const SERVING_CASES: BrokenCase[] = [
  {
    title: 'the IPVS table check fails, naming the difference, when the scheduler is changed from rr to wlc at run time',
    topology: TCP_ONLY('sched', 'dr'),
    // Two clients' few requests cannot tell wlc from rr: only the table shows the lab is not what was declared.
    breakIt: () => inNs('sched-director', 'ipvsadm', '-E', '-t', '10.10.0.100:80', '-s', 'wlc'),
    fails: [
      {
        name: /^the director's live IPVS table is the one the topology declares$/,
        where: /^director$/,
        observed: /^tcp 10\.10\.0\.100:80: scheduler wlc, declared rr$/,
      },
    ],
  },
  {
    title: '"answers through the VIP" fails when the director has no virtual service',
    topology: TCP_ONLY('noservice', 'dr'),
    breakIt: () => inNs('noservice-director', 'ipvsadm', '-D', '-t', '10.10.0.100:80'),
    fails: [{ name: /^tcp 10\.10\.0\.100:80 answers client through the VIP$/, where: /^client -> 10\.10\.0\.100$/, observed: /ECONNREFUSED/ }],
  },
  {
    title: '"only ever sees the VIP" fails when a DR real server answers UDP from its own address',
    topology: 'dr',
    breakIt: async () => {
      await killIn('dr-rs1', SERVICE_PROGRAM);
      // Bound to every address, the reply leaves from the route's source: the RIP, not the VIP.
      await startService('dr-rs1', 'rs1', 'tcp:0.0.0.0:80', 'udp:0.0.0.0:80');
    },
    fails: [{ name: /^udp 10\.10\.0\.100:80: client only ever sees the VIP as its peer$/, where: /^client$/, observed: /10\.10\.0\.10:80/ }],
  },
  {
    title: '"every real server serves" fails and names the real server whose service is stopped',
    topology: TCP_ONLY('stopped', 'nat'),
    breakIt: async () => {
      await killIn('stopped-rs2', SERVICE_PROGRAM);
    },
    fails: [{ name: /every real server with weight > 0 serves client$/, where: /^rs2$/ }],
  },
  {
    title: '"every real server serves" fails when the VIP is removed from one DR real server',
    topology: TCP_ONLY('novip', 'dr'),
    breakIt: () => onLab(['ip', '-n', 'novip-rs1', 'addr', 'del', '10.10.0.100/32', 'dev', 'lo']),
    fails: [{ name: /every real server with weight > 0 serves client$/, where: /^rs1$/ }],
  },
  {
    title: '"kept on one real server" fails when source hashing is switched to round robin at run time',
    topology: TCP_ONLY('sticky', 'dr', ', scheduler: sh'),
    breakIt: () => inNs('sticky-director', 'ipvsadm', '-E', '-t', '10.10.0.100:80', '-s', 'rr'),
    fails: [{ name: /client is kept on one real server \(sh\)$/, where: /^client$/, observed: /rs1: 2, rs2: 2/ }],
  },
  {
    title: '"kept on one real server" fails when persistence is removed at run time',
    topology: TCP_ONLY('persist', 'dr', ', persistence: 300'),
    breakIt: () => inNs('persist-director', 'ipvsadm', '-E', '-t', '10.10.0.100:80', '-s', 'rr'),
    fails: [{ name: /client is kept on one real server \(persistence 300 s\)$/, where: /^client$/, observed: /rs1: 2, rs2: 2/ }],
  },
  {
    title: '"rr spreads within plus or minus one" fails when the director weighs one server 3:1',
    topology: TCP_ONLY('spread', 'dr'),
    breakIt: async () => {
      await inNs('spread-director', 'ipvsadm', '-E', '-t', '10.10.0.100:80', '-s', 'wrr');
      await inNs('spread-director', 'ipvsadm', '-e', '-t', '10.10.0.100:80', '-r', '10.10.0.10:80', '-g', '-w', '3');
    },
    fails: [{ name: /rr spreads client's requests within plus or minus one$/, where: /^client$/, observed: /rs1: 3, rs2: 1/ }],
  },
  {
    title: '"wrr in proportion to the weights" fails when a weight changes at run time',
    topology: TCP_ONLY('weights', 'dr', ', scheduler: wrr, weights: { rs1: 2, rs2: 1 }'),
    breakIt: () => inNs('weights-director', 'ipvsadm', '-e', '-t', '10.10.0.100:80', '-r', '10.10.0.10:80', '-g', '-w', '1'),
    fails: [{ name: /wrr serves client in proportion to the weights$/, where: /^rs1, rs2$/, observed: /^rs1: 1, rs2: 2$/ }],
  },
  {
    title: 'the ARP checks fail and name the real server that lacks arp_ignore/arp_announce',
    topology: TCP_ONLY('arp', 'dr'),
    breakIt: () => answersArpForAll('arp-rs1'),
    fails: [{ name: /^only the director answers ARP for the VIP 10\.10\.0\.100$/, where: /^rs1$/ }],
  },
];

/** Paths, frames and what each mode does to addresses. */
export const PATH_CASES: BrokenCase[] = [
  {
    title: 'the DR frame check fails, naming the hop, when forwarding is switched to NAT at run time',
    topology: TCP_ONLY('drnat', 'dr'),
    breakIt: async () => {
      for (const rip of ['10.10.0.10', '10.10.0.11']) await inNs('drnat-director', 'ipvsadm', '-e', '-t', '10.10.0.100:80', '-r', `${rip}:80`, '-m');
    },
    fails: [
      {
        name: /^director -> real server frames carry the real server's MAC, the IP header CIP -> VIP unchanged$/,
        where: /^director -> rs[12]$/,
        observed: /IP 198\.51\.100\.10 -> 10\.10\.0\.1[01]/,
      },
    ],
  },
  {
    title: 'the DR reply path fails and the director is named when a real server routes replies through it',
    topology: TCP_ONLY('detour', 'dr'),
    breakIt: async () => {
      // The replies' source is the VIP, the director's own address: without accept_local it drops them as martians.
      await inNs('detour-director', 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.accept_local=1', 'net.ipv4.conf.eth0.accept_local=1');
      for (const rs of ['rs1', 'rs2']) await onLab(['ip', '-n', `detour-${rs}`, 'route', 'replace', 'default', 'via', '10.10.0.2']);
    },
    fails: [
      { name: /reply path rs[12] -> gateway -> client/, where: /^rs[12] -> gateway$/ },
      { name: /replies never touch the director$/, where: /^director$/ },
      {
        name: /^the director's netfilter hooks: the dr walk of requests and replies$/,
        where: /^director$/,
        observed: /; reply prerouting -> forward -> postrouting/,
      },
    ],
  },
  {
    title: 'the NAT reply checks fail, naming the real server, when it routes replies around the director',
    topology: TCP_ONLY('bypass', 'nat'),
    breakIt: () => onLab(['ip', '-n', 'bypass-rs1', 'route', 'replace', 'default', 'via', '10.10.0.1']),
    fails: [
      { name: /^tcp 10\.10\.0\.100:80 answers client through the VIP$/, where: /^client -> 10\.10\.0\.100$/ },
      { name: /^tcp 10\.10\.0\.100:80: a 1 MiB reply reaches client$/, where: /^client -> 10\.10\.0\.100$/ },
      { name: /^tcp 10\.10\.0\.100:80: every real server with weight > 0 serves client$/, where: /^rs1$/ },
    ],
  },
  {
    title: 'a NAT lab quietly turned into direct routing: replies no longer cross the director, and the checks say where',
    topology: TCP_ONLY('natdr', 'nat'),
    breakIt: async () => {
      for (const [rs, rip] of [
        ['rs1', '10.10.0.10'],
        ['rs2', '10.10.0.11'],
      ]) {
        await inNs(
          `natdr-${rs}`,
          'sysctl',
          '-q',
          '-w',
          'net.ipv4.conf.all.arp_ignore=1',
          'net.ipv4.conf.all.arp_announce=2',
          'net.ipv4.conf.eth0.arp_ignore=1',
          'net.ipv4.conf.eth0.arp_announce=2',
        );
        await onLab(['ip', '-n', `natdr-${rs}`, 'addr', 'add', '10.10.0.100/32', 'dev', 'lo']);
        await onLab(['ip', '-n', `natdr-${rs}`, 'route', 'replace', 'default', 'via', '10.10.0.1']);
        await inNs('natdr-director', 'ipvsadm', '-e', '-t', '10.10.0.100:80', '-r', `${rip}:80`, '-g');
      }
    },
    fails: [
      { name: /^tcp 10\.10\.0\.100:80: replies from rs[12] cross the director$/, where: /^director$/ },
      { name: /^tcp 10\.10\.0\.100:80: reply path rs[12] -> director -> gateway -> client/, where: /^rs[12] -> director(, |$)/ },
      { name: /^replies leave rs[12] with source 10\.10\.0\.1[01]:80 toward the director$/, where: /^rs[12] -> director$/ },
    ],
  },
  {
    title: 'the gateway resolving the VIP elsewhere fails the ARP check and the request path, naming the hop',
    topology: TCP_ONLY('hijack', 'dr'),
    breakIt: async () => {
      // The director gives up the VIP and rs1 answers ARP for it: the gateway sends requests straight to rs1.
      await onLab(['ip', '-n', 'hijack-director', 'addr', 'del', '10.10.0.100/32', 'dev', 'eth0']);
      await answersArpForAll('hijack-rs1');
    },
    fails: [
      { name: /^after a flush, the gateway resolves the VIP 10\.10\.0\.100 to the director's MAC$/, where: /^gateway -> 10\.10\.0\.100$/, observed: /^rs1 \(/ },
      { name: /^tcp 10\.10\.0\.100:80: request path client -> gateway -> director -> rs1$/, where: /^gateway -> director(, |$)/ },
    ],
  },
  {
    title: '"the real server sees the real client address" fails when NAT is turned into source NAT',
    topology: TCP_ONLY('masq', 'nat'),
    breakIt: async () => {
      await inNs('masq-director', 'sysctl', '-q', '-w', 'net.ipv4.vs.conntrack=1');
      await inNs(
        'masq-director',
        'iptables',
        '-t',
        'nat',
        '-A',
        'POSTROUTING',
        '-m',
        'ipvs',
        '--vaddr',
        '10.10.0.100/32',
        '--vport',
        '80',
        '-j',
        'SNAT',
        '--to-source',
        '10.10.0.2',
      );
    },
    fails: [{ name: /^rs[12] sees the real client address$/, where: /^rs[12]$/, observed: /^10\.10\.0\.2$/ }],
  },
  {
    title: '"port mapping is honoured" fails when a member is re-pointed to another port',
    topology: TCP_ONLY('mapping', 'nat', ', realPort: 8080'),
    breakIt: async () => {
      await startService('mapping-rs1', 'rs1', 'tcp:0.0.0.0:80');
      await inNs('mapping-director', 'ipvsadm', '-d', '-t', '10.10.0.100:80', '-r', '10.10.0.10:8080');
      await inNs('mapping-director', 'ipvsadm', '-a', '-t', '10.10.0.100:80', '-r', '10.10.0.10:80', '-m');
    },
    fails: [{ name: /^port mapping 80 -> 8080 is honoured at rs1$/, where: /^rs1$/, observed: /:80$/ }],
  },
  {
    title: 'TUN: a real server with rp_filter=1 drops decapsulated requests and is named',
    topology: TUN_TCP,
    breakIt: () => inNs('tuntcp-rs1', 'sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=1', 'net.ipv4.conf.tunl0.rp_filter=1'),
    fails: [
      { name: /^tcp 10\.10\.0\.100:80: every real server with weight > 0 serves client$/, where: /^rs1$/ },
      { name: /^real servers in other networks than the director's are served$/, where: /^rs1$/ },
    ],
  },
  {
    title: 'the TUN frame check fails when forwarding is switched to direct routing at run time',
    topology: TUN_TCP,
    breakIt: () => inNs('tuntcp-director', 'ipvsadm', '-e', '-t', '10.10.0.100:80', '-r', '10.20.1.10:80', '-g'),
    fails: [
      {
        name: /^director -> real server packets are IP-in-IP/,
        where: /^director -> gateway$/,
        observed: /client packets not tunnelled; e\.g\. 198\.51\.100\.10 -> 10\.10\.0\.100$/,
      },
    ],
  },
  {
    title: 'FULLNAT without its source NAT: the real server sees the client, and is named',
    // The UDP service is what shows it: TCP replies from the RIP are reset by the client, UDP answers arrive.
    topology: 'fullnat',
    breakIt: () => inNs('fullnat-director', 'iptables', '-t', 'nat', '-F', 'POSTROUTING'),
    fails: [
      { name: /^rs[12] sees the director's address, not the client's$/, where: /^rs[12]$/, observed: /198\.51\.100\.10/ },
      {
        name: /^the director's netfilter hooks: the fullnat walk of requests and replies$/,
        where: /^director$/,
        observed: /; reply none \(it bypasses the director\)$/,
      },
    ],
  },
  {
    title: 'FULLNAT: a real server whose gateway is the director is named',
    topology: TCP_ONLY('fngw', 'fullnat'),
    breakIt: () => onLab(['ip', '-n', 'fngw-rs1', 'route', 'replace', 'default', 'via', '10.10.0.2']),
    fails: [{ name: /^rs1's default gateway is not the director$/, where: /^rs1$/, observed: /via 10\.10\.0\.2/ }],
  },
];

PATH_CASES.push(
  {
    title: 'the NAT hook walk fails when every real server routes its replies around the director',
    topology: TCP_ONLY('natwalk', 'nat'),
    breakIt: async () => {
      for (const rs of ['rs1', 'rs2']) await onLab(['ip', '-n', `natwalk-${rs}`, 'route', 'replace', 'default', 'via', '10.10.0.1']);
    },
    fails: [
      {
        name: /^the director's netfilter hooks: the nat walk of requests and replies$/,
        where: /^director$/,
        observed: /; reply none \(it bypasses the director\)$/,
      },
    ],
  },
  {
    title: 'TUN replies detoured through the director by the gateway fail the hook walk and the reply share, naming the director',
    topology: TUN_TCP,
    breakIt: async () => {
      // The gateway sends what comes from rsnet1 with the VIP as source to the director, which routes it back.
      await inNs(
        'tuntcp-director',
        'sysctl',
        '-q',
        '-w',
        'net.ipv4.ip_forward=1',
        'net.ipv4.conf.all.accept_local=1',
        'net.ipv4.conf.eth0.accept_local=1',
        'net.ipv4.conf.all.rp_filter=0',
        'net.ipv4.conf.eth0.rp_filter=0',
      );
      await onLab(['ip', '-n', 'tuntcp-gateway', 'route', 'add', 'default', 'via', '10.10.0.2', 'table', '100']);
      await onLab(['ip', '-n', 'tuntcp-gateway', 'rule', 'add', 'iif', 'eth2', 'from', '10.10.0.100', 'lookup', '100']);
    },
    fails: [
      {
        name: /^the director's netfilter hooks: the tun walk of requests and replies$/,
        where: /^director$/,
        observed: /; reply prerouting -> forward -> postrouting/,
      },
      { name: /replies never touch the director$/, where: /^director$/ },
    ],
  },
);

/** Every case. The suite runs them in two microVMs, grouped by mode so that each topology is verified healthy in one VM only. */
export const ALL_CASES: BrokenCase[] = [...SERVING_CASES, ...PATH_CASES];

/** A TCP service on the IPv6 VIP alone, on the default networks (which then carry their IPv6 subnets). */
const TCP6_ONLY = (name: string, mode: string) => `name: ${name}\nmode: ${mode}\nrealServers: 2\nservices:\n  - { port: 80, family: ipv6 }\n`;

const FULLNAT_DUAL =
  'name: fnd\nmode: fullnat\nnetworks:\n  outside: { subnet: 198.51.100.0/24, subnet6: "2001:db8:100::/64" }\n' +
  '  lan: { subnet: 10.10.0.0/24, subnet6: "fd00:10::/64" }\n  rsnet1: { subnet: 10.30.1.0/24, subnet6: "fd00:31::/64" }\n' +
  'realServers:\n  - { name: rs1, network: rsnet1 }\n  - { name: rs2, network: rsnet1 }\nservices:\n  - { port: 80, realPort: 8080 }\n';

/** The IPv6 promises, each failing on a lab broken on purpose (tests/e2e/verifier-fails-ipv6.test.ts). */
export const IPV6_CASES: BrokenCase[] = [
  {
    title: 'DR over IPv6: a real server holding the VIP6 on eth0 answers neighbour solicitations for it and is named',
    topology: TCP6_ONLY('drsix', 'dr'),
    breakIt: async () => {
      await inNs('drsix-rs1', 'ip', 'addr', 'del', 'fd00:10::100/128', 'dev', 'lo');
      await inNs('drsix-rs1', 'ip', 'addr', 'add', 'fd00:10::100/128', 'dev', 'eth0', 'nodad');
    },
    fails: [{ name: /^only the director answers neighbour solicitations for the IPv6 VIP fd00:10::100$/, where: /rs1/ }],
  },
  {
    title: 'DR over IPv6: the frame check fails, naming the hop, when forwarding is switched to NAT at run time',
    topology: TCP6_ONLY('drsix', 'dr'),
    breakIt: async () => {
      for (const rs of ['fd00:10::10', 'fd00:10::11']) await inNs('drsix-director', 'ipvsadm', '-e', '-t', '[fd00:10::100]:80', '-r', `[${rs}]:80`, '-m');
    },
    fails: [{ name: /^director -> real server frames carry the real server's MAC, the IP header CIP -> VIP unchanged$/, where: /^director -> rs[12]$/ }],
  },
  {
    title: 'TUN over IPv6: the IPv6-in-IPv6 check fails when forwarding is switched to direct routing at run time',
    topology: TCP6_ONLY('tunsix', 'tun'),
    breakIt: () => inNs('tunsix-director', 'ipvsadm', '-e', '-t', '[fd00:10::100]:80', '-r', '[fd00:10::10]:80', '-g'),
    fails: [{ name: /^director -> real server packets are IPv6-in-IPv6, outer DIP -> RIP, inner CIP -> VIP$/, where: /^director -> rs1$/ }],
  },
  {
    title: 'TUN over IPv6: a real server whose ip6tnl0 is down takes no tunnelled request and is named',
    topology: TCP6_ONLY('tunsix', 'tun'),
    breakIt: () => inNs('tunsix-rs1', 'ip', 'link', 'set', 'dev', 'ip6tnl0', 'down'),
    fails: [{ name: /^tcp \[fd00:10::100\]:80: every real server with weight > 0 serves client$/, where: /^rs1$/ }],
  },
  {
    title: 'NAT over IPv6: a real server routing its IPv6 replies to the gateway instead of the director is named',
    topology: TCP6_ONLY('natsix', 'nat'),
    breakIt: () => inNs('natsix-rs1', 'ip', '-6', 'route', 'replace', 'default', 'via', 'fd00:10::1'),
    fails: [{ name: /^tcp \[fd00:10::100\]:80: every real server with weight > 0 serves client$/, where: /^rs1$/ }],
  },
  {
    title: 'FULLNAT dual-stack: without the ip6tables source NAT the IPv6 replies bypass the director un-NATed and the IPv6 VIP goes unanswered',
    topology: FULLNAT_DUAL,
    breakIt: () => inNs('fnd-director', 'ip6tables', '-t', 'nat', '-F', 'POSTROUTING'),
    fails: [{ name: /^tcp \[fd00:10::100\]:80 answers client through the VIP$/, where: /^client -> fd00:10::100$/ }],
  },
];

/** NAT with keepalived's HTTP check on the real port (8080 behind the VIP's 80). */
const NAT_HTTP_CHECK =
  'name: nathttp\nmode: nat\nrealServers: 2\nkeepalived:\n  check: { type: http, path: /health, expect: 200 }\nservices:\n  - { port: 80, realPort: 8080 }\n';

/** keepalived's health checks (tests/e2e/keepalived.test.ts): each health assertion failing. */
export const KEEPALIVED_CASES: BrokenCase[] = [
  {
    title: 'with keepalived killed, a real server whose service died stays in the table and clients still reach it',
    topology: 'dr-keepalived',
    parts: ['health'],
    // SIGKILL: keepalived cannot clean up, the table stays as it was and nobody checks any more.
    breakIt: async () => {
      await killIn('dr-keepalived-director');
    },
    fails: [
      {
        name: /^keepalived takes a real server whose service died out of the IPVS table within its check budget$/,
        where: /^director: rs1$/,
        observed: /^still in tcp 10\.10\.0\.100:80 /,
      },
      { name: /^no client request fails once the dead real server is out of the table$/, where: /^client -> VIP$/, observed: /failed or reached rs1/ },
    ],
  },
  {
    title: "a firewall on a NAT real server that drops the director's HTTP checks: it leaves the table and never returns",
    topology: NAT_HTTP_CHECK,
    parts: ['health'],
    breakIt: async () => {
      await onLab(
        ['ip', 'netns', 'exec', 'nathttp-rs1', 'nft', '-f', '-'],
        'table ip dropchecks {\n  chain input {\n    type filter hook input priority 0;\n    ip saddr 10.10.0.2 tcp dport 8080 drop\n  }\n}\n',
      );
      // The checker gives up on rs1 within its budget (5.5 s, longer on a busy guest); verify starts after that.
      await readUntil(
        async () => (await inNs('nathttp-director', 'ipvsadm', '-S', '-n')).stdout,
        (table) => !/ -r 10\.10\.0\.10:8080 /.test(table),
        Date.now(),
        Date.now() + 30_000,
      );
    },
    fails: [
      {
        name: /^keepalived takes a real server whose service died out of the IPVS table within its check budget$/,
        where: /^director: rs1$/,
        observed: /^rs1 was not in tcp 10\.10\.0\.100:80 before its service stopped$/,
      },
      {
        name: /^the real server returns to the table once its service answers again$/,
        where: /^director: rs1$/,
        observed: /^still missing from tcp 10\.10\.0\.100:80 /,
      },
    ],
  },
];

/** The mode of a case's lab (shipped topologies are named after their mode). */
export function modeOfCase(c: BrokenCase): string {
  return /^mode: (\S+)$/m.exec(c.topology)?.[1] ?? c.topology;
}

/** Topologies (less their name) already verified healthy in this process. */
const verifiedHealthy = new Set<string>();

/** Registers each case as a test: build the lab, verify it healthy, break it, verify, and expect the named checks to fail. */
export function registerBrokenLabs(cases: BrokenCase[]): void {
  test.before('this machine can run labs (never skipped)', async () => {
    await requireLabMachine();
  });
  test.afterEach.always(async () => {
    await labDown({ all: true }, options());
  });
  for (const c of cases) {
    test.serial(c.title, async (t) => {
      let file = join(TOPOLOGIES, `${c.topology}.yaml`);
      if (c.topology.includes('\n')) {
        file = `/tmp/${/^name: (\S+)/.exec(c.topology)![1]}.yaml`;
        await writeFile(file, c.topology);
      }
      const lab = await loadLab(file);
      const o = options();
      // The conductor brings the lab up and always down again, whatever the case does to it.
      await withLab(lab, o, () => judgeCase(t, c, lab, o));
    });
  }
}

/** Verifies the lab healthy (once per topology), breaks it, verifies again and checks the named failures. */
async function judgeCase(t: ExecutionContext, c: BrokenCase, lab: Lab, o: LifecycleOptions): Promise<void> {
  const show = (r: CheckResult) => `${r.ok ? 'pass' : 'FAIL'} ${r.name} | ${r.where} | ${r.observed}`;
  // Healthy first: a check that fails on this topology anyway would pass this test vacuously. Labs
  // that differ only in their name are one topology: verified healthy once (a verify costs seconds).
  const shape = `${c.topology.replace(/^name: \S+\n/, '')} ${c.parts?.join() ?? 'all'}`;
  if (!verifiedHealthy.has(shape)) {
    const healthy = await verifyLab(lab, o.runner, o.host, c.parts);
    t.true(
      healthy.length > 0 && healthy.every((r) => r.ok),
      `the healthy lab must pass every check:\n${healthy
        .filter((r) => !r.ok)
        .map(show)
        .join('\n')}`,
    );
    verifiedHealthy.add(shape);
  }
  await c.breakIt(lab);
  const checks = await verifyLab(lab, o.runner, o.host, c.parts);
  for (const expected of c.fails) {
    const matching = checks.filter((r) => expected.name.test(r.name));
    t.true(matching.length > 0, `no check named ${expected.name}; checks:\n${checks.map(show).join('\n')}`);
    const failed = matching.filter((r) => !r.ok);
    t.true(failed.length > 0, `${expected.name} did not fail:\n${matching.map(show).join('\n')}`);
    for (const r of failed) {
      t.regex(r.where, expected.where, show(r));
      if (expected.observed) t.regex(r.observed, expected.observed, show(r));
    }
  }
}

/** A VRRP director pair's failover (tests/e2e/director-pair.test.ts): each failover assertion failing. */
export const PAIR_CASES: BrokenCase[] = [
  {
    title: 'VRRP adverts dropped by a firewall on the backup: split brain, both directors hold the VIP and the gateway is not told',
    topology: 'dr-pair',
    parts: ['failover'],
    breakIt: async (lab) => {
      await onLab(
        ['ip', 'netns', 'exec', 'dr-pair-director2', 'nft', '-f', '-'],
        'table ip dropvrrp {\n  chain input {\n    type filter hook input priority 0;\n    ip protocol vrrp drop\n  }\n}\n',
      );
      // The backup declares the master dead after three adverts and the skew (3.6 s): verify starts once it holds the VIP too.
      await readUntil(
        () => holders(lab, machineLifecycle().runner),
        (both) => both.length === 2,
        Date.now(),
        Date.now() + 30_000,
      );
    },
    fails: [
      { name: /^exactly one director holds the VIP: the VRRP master$/, where: /^director1, director2$/, observed: /^on director1 and director2$/ },
      {
        name: /^the master takes the VIP back when its link returns \(preemption\)$/,
        where: /^director2 -> director1$/,
        observed: /^on director1 and director2$/,
      },
    ],
  },
  {
    title: "the backup's keepalived killed: nobody takes the VIP, the gateway keeps the dead master, clients wait",
    topology: 'dr-pair',
    parts: ['failover'],
    breakIt: async () => {
      await killIn('dr-pair-director2');
    },
    fails: [
      {
        name: /^the backup takes the VIP when the master's link goes down, within the VRRP master-down interval$/,
        where: /^director1 -> director2$/,
        observed: /^on no director /,
      },
      { name: /^the gateway follows the new owner of the VIP \(gratuitous ARP\)$/, where: /^gateway: neighbour 10\.10\.0\.100$/, observed: /director1\)$/ },
      { name: /^client-visible outage: /, where: /^client -> 10\.10\.0\.100$/ },
      { name: /^a download under way at the failover completes through the backup/, where: /^client -> 10\.10\.0\.100 -> / },
    ],
  },
  {
    title: 'a NAT pair whose sync messages never reach the backup (its firewall drops them): the download under way breaks, the backup never knew it',
    topology: 'nat-pair',
    parts: ['failover'],
    breakIt: async () => {
      // Dropped on their way in, rather than the backup's daemon stopped: keepalived starts a director's sync daemons
      // again whenever its VRRP state changes (a late advert under load is enough), and twice (CI runs 85 and 92) the
      // download survived although the daemon had been stopped and stayed so for 2 s. IPVS syncs over UDP, port 8848.
      await onLab(
        ['ip', 'netns', 'exec', 'nat-pair-director2', 'nft', '-f', '-'],
        'table ip dropsync {\n  chain input {\n    type filter hook input priority 0;\n    udp dport 8848 drop\n  }\n}\n',
      );
    },
    fails: [
      {
        name: /^a download under way at the failover completes through the backup \(connections synced\)$/,
        where: /^client -> 10\.10\.0\.100 -> /,
        observed: /the backup did not list its connection before the failover/,
      },
    ],
  },
];
