import test from 'ava';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRunner } from '../../src/apply/runner.js';
import { systemPath } from '../../src/apply/system-path.js';

test('systemPath drops node_modules/.bin entries and keeps the rest in order', (t) => {
  t.is(systemPath('/a/node_modules/.bin:/usr/sbin:/b/node_modules/.bin/:/usr/bin:'), '/usr/sbin:/usr/bin');
  t.is(systemPath('/opt/node_modules/.bins:/bin'), '/opt/node_modules/.bins:/bin');
  t.regex(systemPath(''), /\/usr\/sbin/);
});

test('the runner does not run an `ip` or `nft` that a node_modules/.bin on PATH puts first', async (t) => {
  const bin = join(mkdtempSync(join(tmpdir(), 'lvslab-shadow-')), 'node_modules', '.bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['ip', 'nft']) {
    writeFileSync(join(bin, tool), '#!/bin/sh\necho SHADOW\n');
    chmodSync(join(bin, tool), 0o755);
  }
  const saved = process.env.PATH;
  process.env.PATH = `${bin}:${saved}`;
  try {
    const runner = new ProcessRunner();
    for (const argv of [
      ['ip', '-V'],
      ['nft', '--version'],
    ]) {
      const result = await runner.run(argv);
      t.notRegex(result.stdout, /SHADOW/, argv[0]);
      t.is(result.exitCode, 0, `${argv[0]}: ${result.stderr}`);
    }
  } finally {
    process.env.PATH = saved;
  }
});
