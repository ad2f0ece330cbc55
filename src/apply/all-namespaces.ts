/** `ip -all netns exec CMD`: one process runs CMD in every namespace, a "netns: NAME" header before each one's output. */
import type { CommandRunner } from './runner.js';

/** Splits `ip -all netns exec ...` output into each namespace's own output. */
export function splitByNamespace(output: string): Map<string, string> {
  const sections = new Map<string, string>();
  let current: string | undefined;
  for (const line of output.split('\n')) {
    const header = /^netns: (\S+)$/.exec(line);
    if (header) {
      current = header[1];
      sections.set(current, '');
    } else if (current) {
      sections.set(current, `${sections.get(current)}${line}\n`);
    }
  }
  return sections;
}

/**
 * How often a read is tried. `ip -all netns exec` goes through the namespaces one child at a time and gives up on
 * the rest when a child dies of a signal: another lab's `down` kills whatever is in its namespaces, that child
 * included (seen in CI: a concurrent `down` listed no namespace of its own lab and removed nothing).
 */
export const ALL_NAMESPACES_READS = 5;

/**
 * Runs `command` in every namespace and returns the whole listing, read again when it stopped part-way (status 1;
 * its status is 0 whatever each namespace's command did otherwise). `what` names the read in the error.
 */
export async function readAllNamespaces(runner: CommandRunner, command: readonly string[], what: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const result = await runner.run(['ip', '-all', 'netns', 'exec', ...command]);
    if (result.exitCode === 0) return result.stdout;
    if (attempt === ALL_NAMESPACES_READS) throw new Error(`cannot read ${what}: ip -all netns exec stopped part-way (${result.stderr.trim()})`);
  }
}
