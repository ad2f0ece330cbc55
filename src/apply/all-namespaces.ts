/** Output of `ip -all netns exec CMD`: a "netns: NAME" header before each namespace's own output. */

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
