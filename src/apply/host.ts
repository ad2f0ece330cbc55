/**
 * What the executor needs to know about the machine without running a command: which namespaces
 * exist, which processes live in them, which modules are loaded. Injected, so tests can fake it.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';

export interface HostView {
  listNamespaces(): Promise<string[]>;
  /** Processes whose network namespace is one of these named namespaces. */
  pidsIn(namespaces: readonly string[]): Promise<number[]>;
  /** SIGKILL by default; SIGSTOP freezes a process so that it cannot react to what happens to the others. */
  kill(pid: number, signal?: KillSignal): Promise<void>;
  /** The program a process runs (its comm), while it runs one: a process that exited (a zombie too) has none. */
  programOf(pid: number): Promise<string | undefined>;
  /** Whether a process still exists (an `up` whose intent record is left behind may have died). */
  alive(pid: number): boolean;
  /** Which of these kernel modules are loaded (one question for many: under the resident guest each is a round trip). */
  modulesLoaded(names: readonly string[]): Promise<string[]>;
  isRoot(): boolean;
  /** The program (comm) of every process: what a lab may have left running. */
  programs(): Promise<string[]>;
  /** The files under a folder, as paths relative to it (none when it does not exist). */
  filesUnder(dir: string): Promise<string[]>;
}

export type KillSignal = 'SIGKILL' | 'SIGSTOP' | 'SIGTERM';

/** How long killed processes may take to be gone: under emulation one exits only once the guest schedules it. */
const EXIT_WAIT_MS = 5000;

/**
 * Kills processes with no goodbye: every one frozen before any is killed. Killed one by one (each a round trip
 * to a microVM), keepalived's children had time to clean up once their parent died (the table emptied, the VIP
 * dropped: seen in CI). Returns once they are gone (or after EXIT_WAIT_MS): SIGKILL is sent at once but acted on
 * later, and a faster agent asked the namespace's processes again before they had exited (CI run 83).
 */
export async function killFrozen(host: HostView, pids: readonly number[]): Promise<void> {
  for (const pid of pids) await host.kill(pid, 'SIGSTOP');
  for (const pid of pids) await host.kill(pid);
  const deadline = Date.now() + EXIT_WAIT_MS;
  for (let left = [...pids]; left.length > 0 && Date.now() < deadline;) {
    left = (await Promise.all(left.map(async (pid) => ((await host.programOf(pid)) === undefined ? [] : [pid])))).flat();
    if (left.length > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const NETNS_DIR = '/run/netns';

export class LinuxHost implements HostView {
  async listNamespaces(): Promise<string[]> {
    try {
      return (await readdir(NETNS_DIR)).sort();
    } catch {
      return [];
    }
  }

  async pidsIn(namespaces: readonly string[]): Promise<number[]> {
    const inodes = new Set<string>();
    for (const ns of namespaces) {
      try {
        inodes.add(`net:[${(await stat(`${NETNS_DIR}/${ns}`)).ino}]`);
      } catch {
        // already gone
      }
    }
    if (inodes.size === 0) return [];
    const pids: number[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^[0-9]+$/.test(entry)) continue;
      try {
        if (inodes.has(await readlink(`/proc/${entry}/ns/net`))) pids.push(Number(entry));
      } catch {
        // exited meanwhile, or a kernel thread
      }
    }
    return pids;
  }

  async kill(pid: number, signal: KillSignal = 'SIGKILL'): Promise<void> {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }

  async programOf(pid: number): Promise<string | undefined> {
    try {
      // `PID (COMM) STATE ...`: the comm may hold spaces and parentheses, the state follows the last `)`.
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      return stat[close + 2] === 'Z' ? undefined : stat.slice(stat.indexOf('(') + 1, close);
    } catch {
      return undefined;
    }
  }

  alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  async modulesLoaded(names: readonly string[]): Promise<string[]> {
    return names.filter((name) => existsSync(`/sys/module/${name}`));
  }

  async programs(): Promise<string[]> {
    const names: string[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^[0-9]+$/.test(entry)) continue;
      const program = await this.programOf(Number(entry));
      if (program !== undefined) names.push(program);
    }
    return names;
  }

  async filesUnder(dir: string): Promise<string[]> {
    return (await readdir(dir, { recursive: true }).catch(() => [] as string[])).sort();
  }

  isRoot(): boolean {
    return process.getuid?.() === 0;
  }
}
