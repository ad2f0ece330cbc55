/** The files copied into a resident guest's overlay at boot: the links on the way to each, and what ld.so lists. */
import test from 'ava';
import { lstatSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ProcessRunner } from '../../src/apply/runner.js';
import { hotFiles, linkChain, listedLibraries } from '../../src/vm/hot-files.js';

test("ld.so's list gives each library's path and the loader's, never the vDSO nor a library not found", (t) => {
  const listed = [
    '\tlinux-vdso.so.1 (0x00007ffff7fc1000)',
    '\tlibbpf.so.1 => /lib/x86_64-linux-gnu/libbpf.so.1 (0x00007ffff7f4e000)',
    '\tlibgone.so.2 => not found',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007ffff7fc3000)',
  ].join('\n');
  t.deepEqual(listedLibraries(listed), ['/lib/x86_64-linux-gnu/libbpf.so.1', '/lib64/ld-linux-x86-64.so.2']);
});

test('a link chain: each hop with its directory resolved (a linked directory is never copied as a directory), then the file; a loop ends', (t) => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'lvslab-links-')));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'usr', 'lib'), { recursive: true });
  symlinkSync('usr/lib', join(root, 'lib'));
  writeFileSync(join(root, 'usr', 'lib', 'libx.so.1.2'), '');
  symlinkSync('libx.so.1.2', join(root, 'usr', 'lib', 'libx.so.1'));
  symlinkSync(join(root, 'lib', 'libx.so.1'), join(root, 'usr', 'lib', 'libx.so'));
  t.deepEqual(
    linkChain(join(root, 'lib', 'libx.so')),
    ['libx.so', 'libx.so.1', 'libx.so.1.2'].map((f) => join(root, 'usr', 'lib', f)),
  );
  symlinkSync('b', join(root, 'a'));
  symlinkSync('a', join(root, 'b'));
  t.deepEqual(linkChain(join(root, 'a')), [join(root, 'a'), join(root, 'b')]);
  t.deepEqual(linkChain(join(root, 'missing', 'file')), []);
});

test("this host's hot files: relative paths that exist, none under a linked directory, ip's libraries and the loader's cache among them", async (t) => {
  const files = await hotFiles(['ip', 'lvslab-no-such-program']);
  t.true(files.length > 5, files.join(' '));
  for (const file of files) {
    t.false(file.startsWith('/'), file);
    t.notThrows(() => lstatSync(`/${file}`), file);
    // A file under a link (lib/libc.so.6 on a usr-merged root) would make the overlay's upper layer a real directory there.
    t.is(realpathSync(dirname(`/${file}`)), dirname(`/${file}`), file);
  }
  const ip = (await new ProcessRunner().run(['sh', '-c', 'command -v ip'])).stdout.trim();
  const libraries = listedLibraries((await new ProcessRunner().run(['ldd', ip])).stdout);
  t.true(libraries.length > 0);
  for (const library of libraries) t.true(files.includes(realpathSync(library).slice(1)), library);
  t.true(files.includes('etc/ld.so.cache'));
  for (const link of ['bin', 'lib', 'sbin']) t.is(files.includes(link), lstatSync(`/${link}`).isSymbolicLink(), link);
});

test('a program ld.so cannot list (a script) is copied alone, without libraries', async (t) => {
  const failing = { run: async () => ({ exitCode: 1, stdout: '', stderr: 'not a dynamic executable' }) } as unknown as ProcessRunner;
  const files = await hotFiles(['sh'], process.env.PATH, failing);
  const sh = realpathSync((await new ProcessRunner().run(['sh', '-c', 'command -v sh'])).stdout.trim()).slice(1);
  t.true(files.includes(sh), files.join(' '));
  t.false(files.some((f) => f.includes('libc.so')));
});
