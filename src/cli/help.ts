/**
 * Every verb's help: its usage line, what it does, and its options. Pure data, so `lvslab VERB
 * --help` answers without loading the verb (under emulation every module costs start-up time).
 */
import { VM_USAGE } from './vm-flags.js';
import { FAULT_USAGE } from '../plan/faults.js';

interface VerbHelp {
  usage: string;
  /** One line for the overview. */
  summary: string;
  details?: string;
  options?: Array<[string, string]>;
}

const RUNNER: [string, string] = ['--runner auto|host|vm', 'where the lab runs: auto (default) uses the host when it has IPVS, else the microVM'];
const VM: Array<[string, string]> = [
  ['--accel auto|kvm|tcg', 'microVM acceleration: auto tries KVM and falls back to software emulation (TCG)'],
  ['--memory MB', 'microVM memory (default 1024)'],
  ['--cpus N', 'microVM virtual CPUs (default 2; one each when two microVMs share two cores)'],
  ['--timeout SECONDS', 'microVM time limit (default 1800)'],
  ['--kernel PATH [--modules DIR]', "a guest kernel of your own instead of Debian's"],
  ['--show-console', "copy the guest's kernel console to stderr"],
];

export const VERB_HELP: Record<string, VerbHelp> = {
  demo: {
    usage: 'lvslab demo [--ipv6] [--out DIR] [--json] [--runner auto|host|vm]',
    summary: 'the four modes side by side, then a director pair failing over: one table each, path diagrams',
    details:
      'Builds each shipped mode (NAT, DR, TUN, FULLNAT), verifies it with real traffic, takes it down, and prints one table: request and reply paths, the ' +
      "director's share of reply bytes, what the real server saw, port mapping, checks. Then the HA row: dr-pair's master loses its link under " +
      'load: the failover time, the longest client-visible outage, whether a download across it arrived intact, checks.',
    options: [
      ['--ipv6', "the same rows over IPv6: each mode's IPv6 lab (dr6, nat6, tun6, fullnat-dual's IPv6 family); no HA row (pairs are IPv4 only)"],
      ['--out DIR', 'where the path diagrams go (default lvslab-demo)'],
      ['--json', 'the rows as JSON'],
      RUNNER,
      ...VM,
    ],
  },
  validate: {
    usage: 'lvslab validate FILE...',
    summary: 'check topologies; every problem with file:line:col (no root needed)',
    details: 'Reports on every file, every problem at once, with file:line:col, the YAML path and what is allowed. Exit 2 when any file has a problem.',
  },
  plan: {
    usage: 'lvslab plan FILE [--json]',
    summary: 'the exact commands that build the lab (no root needed)',
    options: [['--json', 'the plan as data (steps with argv and undo) instead of a shell script']],
  },
  up: {
    usage: 'lvslab up FILE [--recreate] [--runner auto|host|vm]',
    summary: 'build the lab',
    details:
      'On an identical running lab: nothing to do. On a changed file: the difference, and --recreate to replace the lab. A failure ' +
      'half-way removes everything ' +
      '' +
      '' +
      'the run created. Needs root.',
    options: [['--recreate', 'replace a running lab whose file changed'], RUNNER, ...VM],
  },
  down: {
    usage: 'lvslab down FILE|NAME | --all',
    summary: 'remove a lab (or every lab) by its ownership marks',
    details: 'Removes what lvslab created for the lab (also what an interrupted `up` was creating) and touches nothing else. Needs root.',
    options: [['--all', 'every lab lvslab owns on this host']],
  },
  status: {
    usage: 'lvslab status [NAME] [--json]',
    summary: 'nodes, addresses, MACs, routes, IPVS table, counters',
    options: [['--json', 'as JSON']],
  },
  exec: {
    usage: 'lvslab exec LAB NODE -- CMD...',
    summary: "run a command in a node's namespace",
  },
  fault: {
    usage: 'lvslab fault LAB|FILE KIND TARGET [VALUE]',
    summary: 'break a running lab on purpose: a service, a link, keepalived, loss, delay',
    details:
      'Acts on a running lab: on this host, or in the resident microVM LVSLAB_GUEST names (`lvslab vm --serve SOCKET`). Kinds:\n  ' +
      Object.values(FAULT_USAGE).join('\n  ') +
      '\nloss and delay use netem on every interface of the node; `clear` removes them. Needs root.',
  },
  verify: {
    usage: 'lvslab verify FILE [--tap|--json|--junit] [--runner auto|host|vm]',
    summary: "prove what the lab's mode promises, from packets and counters",
    details:
      'Sends real traffic through a running lab and judges every promise of its mode (paths, ARP ownership of the VIP, frames, the live ' +
      'IPVS table, what real ' +
      '' +
      '' +
      'servers see). Exit 1 on any failed check.',
    options: [['--tap', 'TAP'], ['--json', 'JSON'], ['--junit', 'JUnit XML'], RUNNER, ...VM],
  },
  scenario: {
    usage: 'lvslab scenario FILE [NAME...] [--tap|--json|--junit]',
    summary: "run the topology's scenarios (faults, load, expectations) on the running lab",
    details:
      'Runs the `scenarios:` of FILE (all, or the ones named) on its running lab: on this host, or in the resident microVM LVSLAB_GUEST ' +
      "names. Each fault, load and expectation is a row like verify's; a failed step ends its scenario. The lab is left as the last step " +
      'left it. `lvslab test` runs every scenario after verify. Exit 1 on any failed row. Needs root.',
    options: [
      ['--tap', 'TAP'],
      ['--json', 'JSON'],
      ['--junit', 'JUnit XML'],
    ],
  },
  graph: {
    usage: 'lvslab graph FILE [--family ipv4|ipv6] [--out DIR] [--runner auto|host|vm]',
    summary: 'SVG and Mermaid of the lab with the observed request and reply paths',
    options: [
      ['--family ipv4|ipv6', "a dual-stack lab's family to draw (default: IPv4 where the lab serves it, else IPv6)"],
      ['--out DIR', 'where <lab>.svg and <lab>.mmd go (default .)'],
      RUNNER,
      ...VM,
    ],
  },
  test: {
    usage: 'lvslab test FILE... [--tap|--junit] [--runner auto|host|vm]',
    summary: 'up -> verify -> scenarios -> down for each topology',
    details: 'Ends with `N passed, N failed`; exit 1 on any failure, and when the host is not left exactly as it was.',
    options: [['--tap', 'TAP'], ['--junit', 'JUnit XML'], RUNNER, ...VM],
  },
  bench: {
    usage: 'lvslab bench [--quick] [--only cluster|ha] [--out DIR] [--tap] [--json] [--runner auto|host|vm]',
    summary: "the LVS claim measured: director offload, throughput by mode and real servers, lab cost, a director pair's failovers",
    options: [
      ['--quick', 'the short run CI uses'],
      ['--only cluster|ha', "one part: the cluster (offload, throughput, lab cost) or a director pair's failovers and health checks"],
      ['--out DIR', 'tables, results.json and plots (default lvslab-bench)'],
      ['--tap', 'the shape checks as TAP'],
      ['--json', 'results as JSON'],
      RUNNER,
      ...VM,
    ],
  },
  vm: {
    usage: `lvslab vm ${VM_USAGE} [--fetch-kernel] [--shell | --serve SOCKET | -- CMD...]`,
    summary: 'run a command as root in the IPVS microVM, in the same directory',
    details:
      "Exits with CMD's status, 125 when the VM itself failed. SIGTERM, SIGINT or SIGHUP stop the VM and remove its run folder.\n" +
      "The guest boots qemu's microvm machine (LVSLAB_VM_MACHINE=pc: the previous, slower pc machine).\n" +
      "Under software emulation it is told this host's TSC rate (LVSLAB_TSC_KHZ=N gives it in kHz; LVSLAB_TSC_KHZ=none: the pc machine boots).\n" +
      'Its processes get no address-space randomization (norandmaps: each command costs half as much under emulation; LVSLAB_VM_ASLR=on restores it).\n' +
      'Under software emulation its CPU is x86-64-v2 without AVX or ERMS (10-15% cheaper to emulate; LVSLAB_VM_CPU=max gives every feature qemu emulates).',
    options: [
      ['--shell', 'an interactive shell in the guest'],
      [
        '--serve SOCKET',
        'keep the microVM running for every lvslab started with LVSLAB_GUEST=SOCKET: labs live in it between commands, ' +
          'lvslab runs on this host (no Node under emulation); SIGTERM powers it off (no time limit unless --timeout is given)',
      ],
      ['--fetch-kernel', "fetch Debian's kernel for the guest (apt-get download)"],
      ...VM,
    ],
  },
};

const EXIT_CODES = 'Exit codes: 0 success, 1 a failed step or check, 2 bad input or usage, 125 the microVM failed.';

/** The overview: every verb with its usage line and summary. */
export function overview(): string {
  const lines = Object.values(VERB_HELP).map((h) => `  ${h.usage.replace(/^lvslab /, '')}\n      ${h.summary}`);
  return ["usage: lvslab <verb> [options]    (lvslab VERB --help for a verb's options)", ...lines, EXIT_CODES].join('\n');
}

/** One verb's help: usage, what it does, options. */
export function verbHelp(verb: string): string {
  const help = VERB_HELP[verb];
  const width = Math.max(0, ...(help.options ?? []).map(([flag]) => flag.length));
  const options = (help.options ?? []).map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
  return [
    `usage: ${help.usage}`,
    '',
    help.summary,
    ...(help.details ? ['', help.details] : []),
    ...(options.length ? ['', 'options:', ...options] : []),
    '',
    EXIT_CODES,
  ].join('\n');
}

/** Whether a verb's own arguments (before any `--`) ask for help. */
export function asksForHelp(args: string[]): boolean {
  const dash = args.indexOf('--');
  return (dash === -1 ? args : args.slice(0, dash)).some((a) => a === '--help' || a === '-h');
}
