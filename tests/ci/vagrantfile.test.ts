/**
 * The Vagrantfile cannot rot silently: `vagrant validate` (Debian's vagrant with vagrant-libvirt,
 * installed by `.ci/provision`) checks it, and it provisions with the same script as CI.
 */
import test from 'ava';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../src/model/package-root.js';

const validate = (cwd: string) =>
  execa('vagrant', ['validate'], { cwd, reject: false, env: { VAGRANT_DEFAULT_PROVIDER: 'libvirt', VAGRANT_CHECKPOINT_DISABLE: '1' } });

test('vagrant validate accepts the Vagrantfile with its libvirt provider settings', async (t) => {
  const result = await validate(PACKAGE_ROOT);
  t.is(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  t.regex(result.stdout, /validated successfully/);
});

test('a misspelt setting fails vagrant validate (the check can fail)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lvslab-vagrant-'));
  await writeFile(join(dir, 'Vagrantfile'), (await readFile(join(PACKAGE_ROOT, 'Vagrantfile'), 'utf8')).replace('libvirt.memory', 'libvirt.memroy'));
  const result = await validate(dir);
  t.not(result.exitCode, 0);
  t.regex(`${result.stdout}\n${result.stderr}`, /memroy/);
});

test('the VM is Debian 12 and is provisioned by the same script CI runs', async (t) => {
  const vagrantfile = await readFile(join(PACKAGE_ROOT, 'Vagrantfile'), 'utf8');
  t.regex(vagrantfile, /config\.vm\.box = "debian\/bookworm64"/);
  t.regex(vagrantfile, /config\.vm\.provision "shell", inline: "cd \/vagrant && bash \.ci\/provision"/);
  t.regex(await readFile(join(PACKAGE_ROOT, '.ci', 'run'), 'utf8'), /bash \.ci\/provision\n/);
});
