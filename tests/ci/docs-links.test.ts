import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/model/package-root.js';

/** The user docs and the sources: what a clone has is all a reader has. */
function files(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(PACKAGE_ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  return ['README.md', ...walk('docs'), ...walk('src')].filter((f) => /\.(md|ts|mjs|sh)$/.test(f));
}

test('nothing in the README, docs/ or src/ points outside the clone (../shared)', (t) => {
  for (const file of files()) t.notRegex(readFileSync(join(PACKAGE_ROOT, file), 'utf8'), /\.\.\/shared|LVS-MODES\.md/, file);
});

test('every relative link in the README and docs/ names a file the clone has', (t) => {
  for (const file of files().filter((f) => f.endsWith('.md'))) {
    for (const [, target] of readFileSync(join(PACKAGE_ROOT, file), 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      t.true(existsSync(join(PACKAGE_ROOT, dirname(file), target)), `${file} links to ${target}`);
    }
  }
});

test('docs/modes.md covers each mode and the hook walk', (t) => {
  const text = readFileSync(join(PACKAGE_ROOT, 'docs', 'modes.md'), 'utf8');
  for (const heading of ['## NAT', '## DR', '## TUN', '## FULLNAT', "## The director's netfilter hooks"]) t.true(text.includes(heading), heading);
});
