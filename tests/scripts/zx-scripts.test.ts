/**
 * The zx scripts around the CLI, run for real against a recording stand-in for `lvslab` (no root, no
 * lab): the order of what they call, and that the lab is always taken down.
 */
import test from 'ava';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../src/model/package-root.js';

const ZX = join(PACKAGE_ROOT, 'node_modules', '.bin', 'zx');
const script = (name: string) => join(PACKAGE_ROOT, 'src', 'scripts', name);

/** A fake lvslab that logs its arguments and fails the verb named in FAKE_FAIL with status 3. */
async function fakeLvslab(): Promise<{ bin: string; log: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'lvslab-fake-'));
  const bin = join(dir, 'lvslab');
  await writeFile(bin, '#!/bin/sh\necho "$*" >> "$FAKE_LOG"\n[ "$1" = "$FAKE_FAIL" ] && exit 3\n[ "$1" = test ] && echo "<testsuites/>"\nexit 0\n');
  await chmod(bin, 0o755);
  return { bin, log: join(dir, 'log') };
}

async function run(name: string, args: string[], fail = '') {
  const fake = await fakeLvslab();
  const result = await execa(ZX, [script(name), ...args], { reject: false, env: { LVSLAB: fake.bin, FAKE_LOG: fake.log, FAKE_FAIL: fail }, cwd: tmpdir() });
  const calls = (await readFile(fake.log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
  return { exitCode: result.exitCode, calls, stdout: result.stdout, dir: join(fake.log, '..') };
}

test("lab-session: up, verify, the command, down; the command's failure is the exit status", async (t) => {
  const r = await run('lab-session.mjs', ['t.yaml', '--', 'sh', '-c', 'exit 4']);
  t.deepEqual(r.calls, ['up t.yaml --runner host', 'verify t.yaml --runner host', 'down t.yaml']);
  t.is(r.exitCode, 4);
});

test('lab-session: a failed verify skips the command but still takes the lab down', async (t) => {
  const r = await run('lab-session.mjs', ['t.yaml', '--', 'sh', '-c', 'echo never'], 'verify');
  t.deepEqual(r.calls, ['up t.yaml --runner host', 'verify t.yaml --runner host', 'down t.yaml']);
  t.is(r.exitCode, 3);
  t.notRegex(r.stdout, /never/);
});

test('lab-session: a failed up (which rolls back itself) calls nothing else; no topology is a usage error', async (t) => {
  const r = await run('lab-session.mjs', ['t.yaml'], 'up');
  t.deepEqual(r.calls, ['up t.yaml --runner host']);
  t.is(r.exitCode, 3);
  t.is((await run('lab-session.mjs', [])).exitCode, 2);
});

test('guard-topologies: validate all first, then lvslab test --junit into the report file', async (t) => {
  const r = await run('guard-topologies.mjs', ['--junit', 'report.xml', 'a.yaml', 'b.yaml']);
  t.deepEqual(r.calls, ['validate a.yaml b.yaml', 'test --junit a.yaml b.yaml']);
  t.is(r.exitCode, 0);
  t.is(await readFile(join(tmpdir(), 'report.xml'), 'utf8'), '<testsuites/>\n');
  const invalid = await run('guard-topologies.mjs', ['a.yaml'], 'validate');
  t.deepEqual(invalid.calls, ['validate a.yaml']);
  t.is(invalid.exitCode, 3);
});

test("provision: the packages lvslab needs, vagrant for the Vagrantfile check, the microVM's unless --no-microvm", async (t) => {
  const dry = async (...args: string[]) => (await execa(ZX, [script('provision.mjs'), '--dry-run', ...args], { cwd: PACKAGE_ROOT })).stdout.split('\n');
  const full = await dry();
  t.regex(
    full[1],
    /^apt-get install -y -qq --no-install-recommends .*\bipvsadm\b.*\bkeepalived\b.*\bqemu-system-x86\b.*\bbusybox-static\b.*\bvagrant-libvirt$/,
  );
  t.is(full[2], 'node dist/src/cli/main.js vm --fetch-kernel');
  const host = await dry('--no-microvm');
  t.notRegex(host.join('\n'), /qemu|fetch-kernel/);
});
