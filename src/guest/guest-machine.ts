/**
 * The runner and host view of a lab machine that is a resident guest: the same interfaces as this
 * host's (apply/runner.ts, apply/host.ts), every call answered by the guest agent. Whether a process
 * of lvslab's own is alive (an `up` that left an intent record) is asked here, where lvslab runs.
 */
import type { Capture, CommandRunner, RunOptions, RunResult, StartOptions } from '../apply/runner.js';
import { LinuxHost, type HostView, type KillSignal } from '../apply/host.js';
import type { GuestLink } from './guest-link.js';

export class GuestRunner implements CommandRunner {
  spawned = 0;

  constructor(private readonly link: GuestLink) {}

  run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    this.spawned++;
    return this.link.ask({ op: 'run', argv: [...argv], ...options });
  }

  start(argv: readonly string[], options: StartOptions = {}): Promise<{ pid: number }> {
    this.spawned++;
    return this.link.ask({ op: 'start', argv: [...argv], ...options });
  }

  /** The guest has no terminal of ours: the command runs without input and its output is copied here once it ends. */
  async attached(argv: readonly string[]): Promise<number> {
    const result = await this.run(argv);
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.exitCode;
  }

  async capture(argv: readonly string[]): Promise<Capture> {
    this.spawned++;
    const { capture } = await this.link.ask({ op: 'capture', argv: [...argv] });
    return { stop: async () => (await this.link.ask({ op: 'capture-stop', capture })).output };
  }
}

export class GuestHost implements HostView {
  private readonly here = new LinuxHost();

  constructor(private readonly link: GuestLink) {}

  listNamespaces(): Promise<string[]> {
    return this.link.ask({ op: 'namespaces' });
  }

  pidsIn(namespaces: readonly string[]): Promise<number[]> {
    return this.link.ask({ op: 'pids-in', namespaces: [...namespaces] });
  }

  async kill(pid: number, signal: KillSignal = 'SIGKILL'): Promise<void> {
    await this.link.ask({ op: 'kill', pid, signal });
  }

  async programOf(pid: number): Promise<string | undefined> {
    return (await this.link.ask({ op: 'program-of', pid })) ?? undefined;
  }

  alive(pid: number): boolean {
    return this.here.alive(pid);
  }

  modulesLoaded(names: readonly string[]): Promise<string[]> {
    return this.link.ask({ op: 'modules-loaded', names: [...names] });
  }

  /** The agent runs as root in the guest, whoever runs lvslab here. */
  isRoot(): boolean {
    return true;
  }

  programs(): Promise<string[]> {
    return this.link.ask({ op: 'programs' });
  }

  filesUnder(dir: string): Promise<string[]> {
    return this.link.ask({ op: 'files-under', dir });
  }
}
