/** The GitHub workflow: valid YAML that runs the same CI script, and `lvslab test` with JUnit output. */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../../src/model/package-root.js';

interface Workflow {
  jobs: Record<
    string,
    {
      'runs-on': string;
      container: { image: string; options: string };
      steps: Array<{ run?: string; uses?: string; env?: Record<string, string>; with?: Record<string, string> }>;
    }
  >;
}

test('the workflow runs .ci/run, and guards the topologies with a JUnit report kept as an artifact', async (t) => {
  const workflow = parse(await readFile(join(PACKAGE_ROOT, '.github', 'workflows', 'lvslab.yml'), 'utf8')) as Workflow;
  const { suite, 'guard-topologies': guard } = workflow.jobs;
  for (const job of [suite, guard]) t.deepEqual(job.container, { image: 'debian:12', options: '--privileged' });
  t.true(suite.steps.some((s) => s.run === 'bash .ci/run'));
  const runs = guard.steps.map((s) => s.run ?? s.uses ?? '');
  t.deepEqual(runs.slice(1, 3), ['bash .ci/provision', 'node_modules/.bin/zx src/scripts/guard-topologies.mjs --junit lvslab-junit.xml topologies/*.yaml']);
  t.is(guard.steps[3].with?.path, 'lvslab-junit.xml');
});
