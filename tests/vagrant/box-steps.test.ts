import test from 'ava';
import { execa } from 'execa';
import { boxSteps } from '../../src/vagrant/box-steps.js';
import { guestStepsScript } from '../../src/vagrant/guest-steps.js';

const base = { provisioning: 'cd /vagrant && bash .ci/provision', checkoutCopy: '/root/.cache/lvslab/vagrant-path/checkouts/1-vagrant', labs: true };
const names = (options = base) => boxSteps(options).map((s) => s.name);

test('the box with the labs: system, network, copy, provisioning, Node, demo, labs', (t) => {
  t.deepEqual(names(), ['system', 'network', 'copy', 'provision', 'node', 'demo', 'test']);
});

test('the Node 18 box stops after the Node check', (t) => {
  t.deepEqual(names({ ...base, labs: false }), ['system', 'network', 'copy', 'provision', 'node']);
});

test('every generated guest script is valid bash, with and without each fault', async (t) => {
  for (const fault of [undefined, 'network', 'package', 'provision'] as const) {
    const script = guestStepsScript(boxSteps({ ...base, break: fault }));
    const check = await execa('bash', ['-n'], { input: script, reject: false });
    t.is(check.exitCode, 0, `${fault}: ${check.stderr}`);
  }
});

test('the demo and the labs run on the guest kernel itself (--runner host), from the copy in /vagrant', (t) => {
  const steps = boxSteps(base);
  t.deepEqual(steps.find((s) => s.name === 'demo')?.script, ['cd /vagrant', 'npx lvslab demo --runner host']);
  t.deepEqual(steps.find((s) => s.name === 'test')?.script, ['cd /vagrant', 'npx lvslab test --runner host topologies/*.yaml']);
  t.true(steps.find((s) => s.name === 'copy')!.script[0].startsWith(`cp -a ${base.checkoutCopy} /vagrant`));
});

test('each fault is put in where it belongs, and nowhere without asking', (t) => {
  const text = (fault?: 'network' | 'package' | 'provision') => guestStepsScript(boxSteps({ ...base, break: fault }));
  t.false(/lvslab-break|rm \/vagrant\/package-lock.json/.test(text()));
  t.regex(text('package'), /Package: npm\\nPin: release \*\\nPin-Priority: -1/);
  t.regex(text('provision'), /rm \/vagrant\/package-lock.json/);
  // The network fault is outside the guest (qemu's restrict=on); the script is the same.
  t.is(text('network'), text());
});

test('the network step names what is missing: a card, a name, a connection', (t) => {
  const network = boxSteps(base)
    .find((s) => s.name === 'network')!
    .script.join('\n');
  t.regex(network, /no network card in the guest/);
  t.regex(network, /no network inside the guest: cannot resolve \$host/);
  t.regex(network, /no network inside the guest: cannot connect to \$host port 80/);
});
