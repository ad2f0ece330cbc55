import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPlan } from '../../src/plan/build-plan.js';
import { renderScript } from '../../src/plan/render-script.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { FIXTURES, GOLDEN_SERVICE_COMMAND, SHIPPED, TOPOLOGIES } from '../helpers/paths.js';

// LVSLAB_UPDATE_GOLDEN=1 rewrites the golden files; review the diff before committing it.
const update = process.env.LVSLAB_UPDATE_GOLDEN === '1';

for (const name of SHIPPED) {
  test(`the plan of ${name}.yaml matches its golden file line for line`, async (t) => {
    const lab = await loadLab(join(TOPOLOGIES, `${name}.yaml`));
    const script = renderScript(buildPlan(lab, { service: GOLDEN_SERVICE_COMMAND }), `topologies/${name}.yaml`);
    const golden = join(FIXTURES, 'golden', `${name}.plan.sh`);
    if (update) writeFileSync(golden, script);
    // A missing golden file is a failure, never a comparison of the plan with itself.
    if (!existsSync(golden)) return t.fail(`no golden file ${golden}: write it with LVSLAB_UPDATE_GOLDEN=1 and review it`);
    t.is(script, readFileSync(golden, 'utf8'));
  });
}
