/**
 * A recording fake of the command runner and the host, for unit tests without root: it records every
 * argv and keeps just enough machine state (namespaces, lo aliases, processes, modules) for the
 * executor's ordering, rollback, idempotence and ownership to be observable.
 */
import type { CommandRunner, RunOptions, RunResult, StartOptions } from '../../src/apply/runner.js';
import { SERVICE_PROGRAM } from '../../src/model/package-root.js';
import type { HostView, KillSignal } from '../../src/apply/host.js';

export interface Recorded {
  argv: string[];
  input?: string;
  daemon?: boolean;
  log?: string;
  ready?: string;
}

/** As the kernel: the modules that hold ip_vs while loaded (its schedulers, iptables' ipvs match). */
const usesIpvs = (module: string) => module.startsWith('ip_vs_') || module === 'xt_ipvs';

export class FakeMachine implements CommandRunner, HostView {
  readonly calls: Recorded[] = [];
  readonly namespaces = new Set<string>();
  readonly aliases = new Map<string, string>();
  readonly processes = new Map<number, string>();
  /** The program each started process runs (`ip netns exec <ns> <program> ...`). */
  readonly programOfPid = new Map<number, string>();
  readonly modules = new Set<string>();
  readonly killed: number[] = [];
  root = true;
  spawned = 0;
  private nextPid = 1000;
  /** How many more `modprobe -r` calls find the scheduler modules still held (a deleted namespace not yet torn down). */
  schedulersHeldFor = 0;
  /** Calls whose rendered argv contains this text fail with this stderr. */
  failWhen?: { contains: string; stderr: string };

  private fails(argv: readonly string[], input?: string): boolean {
    return this.failWhen !== undefined && `${argv.join(' ')}\n${input ?? ''}`.includes(this.failWhen.contains);
  }

  /** Answers of its own for some commands (a table read, say); undefined leaves the command to the fake. */
  respond?: (argv: readonly string[]) => RunResult | undefined;

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.spawned++;
    this.calls.push({ argv: [...argv], input: options.input });
    if (this.fails(argv, options.input)) return { exitCode: 1, stdout: '', stderr: this.failWhen!.stderr };
    const answer = this.respond?.(argv);
    if (answer) return answer;
    const line = argv.join(' ');
    const lo = (ns: string) => `1: lo: <LOOPBACK,UP> mtu 65536${this.aliases.has(ns) ? `\\    alias ${this.aliases.get(ns)}` : ''}`;
    if (line === 'ip -all netns exec ip -o link show dev lo') {
      const out = [...this.namespaces].map((ns) => `\nnetns: ${ns}\n${lo(ns)}`);
      return { exitCode: 0, stdout: out.join('\n') + '\n', stderr: '' };
    }
    const oneLo = /^ip -n (\S+) -o link show dev lo$/.exec(line);
    if (oneLo) {
      // As iproute2 answers (held to it in tests/vm/resident.boot.test.ts).
      if (!this.namespaces.has(oneLo[1]))
        return { exitCode: 255, stdout: '', stderr: `Cannot open network namespace "${oneLo[1]}": No such file or directory\n` };
      return { exitCode: 0, stdout: `${lo(oneLo[1])}\n`, stderr: '' };
    }
    if (argv[0] === 'modprobe' && argv[1] === '-a') argv.slice(2).forEach((m) => this.modules.add(m));
    if (argv[0] === 'modprobe' && argv[1] === '-r') {
      // As the kernel: ip_vs stays while a scheduler's module (ip_vs_rr, ...) that uses it is loaded.
      let inUse = false;
      const held = this.schedulersHeldFor > 0;
      if (held) this.schedulersHeldFor--;
      for (const m of argv.slice(3)) {
        if (held && m.startsWith('ip_vs_')) continue;
        if (m === 'ip_vs' && [...this.modules].some(usesIpvs)) inUse = true;
        else this.modules.delete(m);
      }
      if (inUse) return { exitCode: 1, stdout: '', stderr: 'modprobe: FATAL: Module ip_vs is in use.\n' };
    }
    // IPVS loads a scheduler's module the first time a service uses it.
    if (argv.includes('ipvsadm'))
      for (const m of (options.input ?? '').matchAll(/ -s (\w+)/g)) if (this.modules.has('ip_vs')) this.modules.add(`ip_vs_${m[1]}`);
    const batchNs = argv[0] === 'ip' && argv[1] === '-n' ? argv[2] : undefined;
    for (const text of (options.input ?? '').split('\n')) {
      const add = /^netns add (\S+)$/.exec(text);
      if (add) this.namespaces.add(add[1]);
      const del = /^netns del (\S+)$/.exec(text);
      if (del) {
        this.namespaces.delete(del[1]);
        this.aliases.delete(del[1]);
      }
      const alias = /^link set dev lo alias (\S+)$/.exec(text);
      if (alias && batchNs) this.aliases.set(batchNs, alias[1]);
    }
    return { exitCode: 0, stdout: '', stderr: '' };
  }

  async start(argv: readonly string[], options: StartOptions = {}): Promise<{ pid: number }> {
    this.spawned++;
    this.calls.push({ argv: [...argv], daemon: true, ...(options.log ? { log: options.log } : {}), ...(options.ready ? { ready: options.ready } : {}) });
    if (this.fails(argv)) throw new Error(this.failWhen!.stderr);
    const pid = this.nextPid++;
    this.processes.set(pid, argv[3]); // ip netns exec <ns> ...
    // The real servers' service names itself (process.title); anything else is its program.
    this.programOfPid.set(pid, argv[5]?.endsWith('real-server-service.pl') ? SERVICE_PROGRAM : argv[4]);
    return { pid };
  }

  async attached(argv: readonly string[]): Promise<number> {
    return (await this.run(argv)).exitCode;
  }

  /** What a capture returns, by the namespace it runs in. */
  readonly captures = new Map<string, string>();

  async capture(argv: readonly string[]): Promise<{ stop(): Promise<string> }> {
    this.spawned++;
    this.calls.push({ argv: [...argv], daemon: true });
    const output = this.captures.get(argv[3]) ?? '';
    return { stop: async () => output };
  }

  async listNamespaces(): Promise<string[]> {
    return [...this.namespaces].sort();
  }

  async pidsIn(namespaces: readonly string[]): Promise<number[]> {
    return [...this.processes].filter(([, ns]) => namespaces.includes(ns)).map(([pid]) => pid);
  }

  readonly stopped: number[] = [];

  async kill(pid: number, signal: KillSignal = 'SIGKILL'): Promise<void> {
    if (signal === 'SIGSTOP') return void this.stopped.push(pid);
    this.killed.push(pid);
    this.processes.delete(pid);
  }

  async programOf(pid: number): Promise<string | undefined> {
    return this.processes.has(pid) ? this.programOfPid.get(pid) : undefined;
  }

  /** Pids the fake treats as running; every other recorded `up` counts as dead. */
  readonly livePids = new Set<number>();

  alive(pid: number): boolean {
    return this.livePids.has(pid);
  }

  async modulesLoaded(names: readonly string[]): Promise<string[]> {
    return names.filter((name) => this.modules.has(name));
  }

  async programs(): Promise<string[]> {
    return [...this.processes.keys()].map((pid) => this.programOfPid.get(pid) ?? '?');
  }

  /**
   * Files of a machine without any, but ip_vs's holders in sysfs (its loaded users), listed as the real
   * listing does: down through each holder's link into that module's own folder.
   */
  async filesUnder(dir: string): Promise<string[]> {
    if (dir !== '/sys/module/ip_vs/holders' || !this.modules.has('ip_vs')) return [];
    return [...this.modules]
      .filter(usesIpvs)
      .flatMap((m) => [m, `${m}/holders`, `${m}/refcnt`, `${m}/sections/.text`])
      .sort();
  }

  isRoot(): boolean {
    return this.root;
  }

  /** The commands run so far, rendered one per line (stdin left out). */
  commands(): string[] {
    return this.calls.map((c) => c.argv.join(' '));
  }
}
