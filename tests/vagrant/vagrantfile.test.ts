import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/model/package-root.js';
import { provisioningLine, rsyncExcludes, VagrantfileError } from '../../src/vagrant/vagrantfile.js';

const shipped = readFileSync(join(PACKAGE_ROOT, 'Vagrantfile'), 'utf8');

test("the shipped Vagrantfile's provisioning line is the one provisioning path", (t) => {
  t.is(provisioningLine(shipped), 'cd /vagrant && bash .ci/provision');
});

test("the shipped Vagrantfile's synced folder leaves out what the host built", (t) => {
  t.deepEqual(rsyncExcludes(shipped), ['node_modules/', 'dist/', 'lvslab-demo/', 'lvslab-bench/']);
});

test('the provisioning line is read as Ruby writes it: either quote, escapes, commented lines ignored', (t) => {
  t.is(provisioningLine(`config.vm.provision "shell", inline: "echo \\"hi\\" && bash x"`), 'echo "hi" && bash x');
  t.is(provisioningLine(`config.vm.provision 'shell', inline: 'bash .ci/provision --dry-run'`), 'bash .ci/provision --dry-run');
  t.is(provisioningLine(`config.vm.provision :shell, inline: "a"`), 'a');
  t.is(provisioningLine(`  # config.vm.provision "shell", inline: "old"\n  config.vm.provision "shell", inline: "new"`), 'new');
});

test('a Vagrantfile with no inline shell provisioner, or several, is refused in words', (t) => {
  t.throws(() => provisioningLine('Vagrant.configure("2") do |config|\nend'), { instanceOf: VagrantfileError, message: /no `config.vm.provision "shell"/ });
  const two = `config.vm.provision "shell", inline: "a"\nconfig.vm.provision "shell", inline: "b"`;
  t.throws(() => provisioningLine(two), { instanceOf: VagrantfileError, message: /2 inline shell provisioners/ });
});

test('no rsync__exclude: nothing is left out', (t) => {
  t.deepEqual(rsyncExcludes('config.vm.synced_folder ".", "/vagrant", type: "rsync"'), []);
});
