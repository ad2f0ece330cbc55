import test from 'ava';
import { stageFiles } from '../helpers/suite-stages.js';

const E2E = ['demo', 'director-pair', 'keepalived', 'labs', 'verifier-fails-dr', 'verifier-fails-nat', 'verifier-fails-tun-fullnat'].map(
  (n) => `dist/tests/e2e/${n}.test.js`,
);

test('a stage with all its files runs them', (t) => {
  t.deepEqual(stageFiles('e2e', E2E), E2E);
});

test('a stage whose list lost a file fails and names it', (t) => {
  const error = t.throws(() => stageFiles('e2e', E2E.slice(1)));
  t.regex(error!.message, /stage e2e is missing its test files: dist\/tests\/e2e\/demo\.test\.js/);
});

test('an empty stage never reaches ava (which would run every test)', (t) => {
  t.throws(() => stageFiles('microvm', []), { message: /stage microvm is missing its test files/ });
});

test('the unit stage needs a test file in every folder', (t) => {
  t.throws(() => stageFiles('unit', ['dist/tests/plan/golden-plans.test.js']), { message: /dist\/tests\/apply\// });
});
