/**
 * What the Vagrant path takes from the Vagrantfile itself, so that the check and the file cannot drift:
 * the shell provisioner's inline line and the rsync folder's excludes.
 */

export class VagrantfileError extends Error {
  override name = 'VagrantfileError';
}

/** A Ruby string literal's text: double-quoted (with \" and \\ escapes) or single-quoted. */
function rubyString(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  return quote === '"' ? body.replace(/\\(["\\])/g, '$1') : body.replace(/\\(['\\])/g, '$1');
}

const STRING = String.raw`("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')`;

function withoutComments(text: string): string {
  return text
    .split('\n')
    .map((line) => (/^\s*#/.test(line) ? '' : line))
    .join('\n');
}

/** The inline command of the one `config.vm.provision "shell", inline: "..."`; refuses none or several. */
export function provisioningLine(vagrantfile: string): string {
  const pattern = new RegExp(String.raw`\.vm\.provision\s+\(?\s*["':]shell["']?\s*,\s*inline:\s*` + STRING, 'g');
  const found = [...withoutComments(vagrantfile).matchAll(pattern)].map((m) => rubyString(m[1]));
  if (found.length === 0) throw new VagrantfileError('the Vagrantfile has no `config.vm.provision "shell", inline: "..."` line');
  if (found.length > 1) throw new VagrantfileError(`the Vagrantfile has ${found.length} inline shell provisioners; the Vagrant path runs exactly one`);
  return found[0];
}

/** The rsync__exclude list of the synced folder (what `vagrant up` leaves out of /vagrant). */
export function rsyncExcludes(vagrantfile: string): string[] {
  const list = /rsync__exclude:\s*\[([^\]]*)\]/.exec(withoutComments(vagrantfile));
  if (!list) return [];
  return [...list[1].matchAll(new RegExp(STRING, 'g'))].map((m) => rubyString(m[1]));
}
