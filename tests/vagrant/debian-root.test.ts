import test from 'ava';
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner, RunResult } from '../../src/apply/runner.js';
import { debianRelease, debianRoot, mmdebstrapArgv, RootError, rootsDir } from '../../src/vagrant/debian-root.js';

/** Answers apt-cache with a release and "builds" a root by making its folder (or fails, when told to). */
class ScriptedRunner implements CommandRunner {
  readonly calls: string[][] = [];
  spawned = 0;
  constructor(
    private release = '12.4+deb12u15',
    private mmdebstrap: RunResult = { exitCode: 0, stdout: '', stderr: '' },
  ) {}
  async run(argv: readonly string[]): Promise<RunResult> {
    this.calls.push([...argv]);
    if (argv[0] === 'apt-cache') return { exitCode: 0, stdout: `base-files:\n  Installed: (none)\n  Candidate: ${this.release}\n`, stderr: '' };
    if (argv[0] === 'mmdebstrap') {
      const target = argv.at(-1)!.startsWith('/etc/') ? argv.at(-2)! : argv.at(-1)!;
      await mkdir(join(target, 'etc'), { recursive: true });
      return this.mmdebstrap;
    }
    return { exitCode: 127, stdout: '', stderr: `unexpected ${argv.join(' ')}` };
  }
  start(): never {
    throw new Error('not used');
  }
  capture(): never {
    throw new Error('not used');
  }
  attached(): never {
    throw new Error('not used');
  }
}

test.beforeEach(() => {
  process.env.LVSLAB_CACHE = mkdtempSync(join(tmpdir(), 'lvslab-roots-'));
});

test.serial("mmdebstrap builds Debian 12's important packages plus what the box adds; the Node 18 root adds Debian's nodejs", (t) => {
  t.deepEqual(mmdebstrapArgv('no-node', '/r', '/etc/apt/sources.list.d/debian.sources'), [
    'mmdebstrap',
    '--mode=root',
    '--variant=important',
    '--include=sudo,rsync',
    'bookworm',
    '/r',
    '/etc/apt/sources.list.d/debian.sources',
  ]);
  t.is(mmdebstrapArgv('node18', '/r', undefined)[3], '--include=sudo,rsync,nodejs');
  t.is(mmdebstrapArgv('node18', '/r', undefined).length, 6);
});

test.serial("Debian's release is base-files' candidate; no candidate is an error that says to run apt-get update", async (t) => {
  t.is(await debianRelease(new ScriptedRunner('12.4+deb12u15')), '12.4+deb12u15');
  await t.throwsAsync(debianRelease(new ScriptedRunner('(none)')), { instanceOf: RootError, message: /apt-get update/ });
});

test.serial('a root is built once per release and kind, then taken from the cache; a new release replaces the old root', async (t) => {
  const runner = new ScriptedRunner('12.4+deb12u15');
  const first = await debianRoot('no-node', runner, () => undefined);
  t.true(first.built);
  t.true(existsSync(join(first.dir, '.lvslab-complete')));
  const again = await debianRoot('no-node', runner, () => undefined);
  t.false(again.built);
  t.is(again.dir, first.dir);
  t.is(runner.calls.filter((c) => c[0] === 'mmdebstrap').length, 1);
  const newer = await debianRoot('no-node', new ScriptedRunner('12.4+deb12u16'), () => undefined);
  t.true(newer.built);
  t.deepEqual(await readdir(rootsDir()), ['no-node-12.4+deb12u16']);
});

test.serial('a root whose build was interrupted is not taken: only a finished one carries the mark', async (t) => {
  const runner = new ScriptedRunner('12.4+deb12u15');
  await mkdir(join(rootsDir(), 'no-node-12.4+deb12u15', 'etc'), { recursive: true });
  await writeFile(join(rootsDir(), 'no-node-12.4+deb12u15.partial'), 'left by a killed build');
  t.true((await debianRoot('no-node', runner, () => undefined)).built);
});

test.serial("mmdebstrap's failure is a RootError with its last words, and leaves no half-built root", async (t) => {
  const runner = new ScriptedRunner('12.4+deb12u15', { exitCode: 1, stdout: '', stderr: 'I: resolving\nE: cannot reach the mirror' });
  await t.throwsAsync(
    debianRoot('node18', runner, () => undefined),
    { instanceOf: RootError, message: /status 1\):\nI: resolving\nE: cannot reach the mirror/ },
  );
  t.deepEqual(await readdir(rootsDir()), []);
});
