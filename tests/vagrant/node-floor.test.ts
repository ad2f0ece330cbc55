import test from 'ava';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../src/model/package-root.js';

/** .ci/node-floor.mjs beside a package.json whose engines.node is `engines`. */
async function floorCheck(engines: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'lvslab-floor-'));
  mkdirSync(join(dir, '.ci'));
  copyFileSync(join(PACKAGE_ROOT, '.ci', 'node-floor.mjs'), join(dir, '.ci', 'node-floor.mjs'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ engines: { node: engines } }));
  return execa(process.execPath, [join(dir, '.ci', 'node-floor.mjs')], { reject: false });
}

test("this Node meets the shipped package.json's floor, which is ava 7's", async (t) => {
  const run = await execa(process.execPath, [join(PACKAGE_ROOT, '.ci', 'node-floor.mjs')], { reject: false });
  t.is(run.exitCode, 0, run.stderr);
});

test('a floor above this Node fails with the reason; one below passes', async (t) => {
  const [major] = process.versions.node.split('.').map(Number);
  const above = await floorCheck(`>=${major + 1}.0`);
  t.is(above.exitCode, 1);
  t.is(above.stderr, `node ${process.version} is older than ${major + 1}.0 (package.json engines.node)`);
  t.is((await floorCheck(`>=${major}.0`)).exitCode, 0);
  t.is((await floorCheck(`>=${major - 1}.99`)).exitCode, 0);
});

test('an engines field it cannot read is exit 2, in words', async (t) => {
  for (const engines of ['^20', undefined, '>=20']) {
    const run = await floorCheck(engines);
    t.is(run.exitCode, 2, String(engines));
    t.regex(run.stderr, /engines.node is .*: expected >=MAJOR.MINOR/);
  }
});
