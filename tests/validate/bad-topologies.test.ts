import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { TopologyError } from '../../src/model/problems.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { CLI_ENTRY } from '../../src/model/package-root.js';
import { FIXTURES } from '../helpers/paths.js';

const BAD = join(FIXTURES, 'bad');
const cases = readdirSync(BAD)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

test('the corpus of bad topologies has at least 110 cases', (t) => {
  t.true(cases.length >= 110, `only ${cases.length} cases`);
});

for (const file of cases) {
  test(`${file} is rejected with its exact messages and positions`, async (t) => {
    const path = join(BAD, file);
    const expected = readFileSync(path.replace(/\.yaml$/, '.expected'), 'utf8');
    const error = await t.throwsAsync(loadLab(path), { instanceOf: TopologyError });
    t.is(error!.message.replaceAll(path, 'FILE') + '\n', expected);
  });
}

test('lvslab validate exits 2 and prints every problem of every file', async (t) => {
  const files = ['04-mode-typo.yaml', '37-many-problems-at-once.yaml'].map((f) => join(BAD, f));
  const result = await execa(process.execPath, [CLI_ENTRY, 'validate', ...files], { reject: false });
  t.is(result.exitCode, 2);
  t.is(result.stderr.split('\n').length, 4);
  t.regex(result.stderr, /04-mode-typo\.yaml:2:7: mode: "drr" is not allowed/);
  t.regex(result.stderr, /37-many-problems-at-once\.yaml:7:41: services\[0\]\.persistance: unknown key/);
});

test('a file that does not exist is reported, not thrown as a stack', async (t) => {
  const result = await execa(process.execPath, [CLI_ENTRY, 'validate', '/nonexistent/lab.yaml'], { reject: false });
  t.is(result.exitCode, 2);
  t.is(result.stderr.trim(), '/nonexistent/lab.yaml:1:1: (root): cannot read topology: no such file');
});
