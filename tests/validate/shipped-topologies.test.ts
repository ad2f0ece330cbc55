import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab } from '../../src/validate/validate-topology.js';
import { topologySchema } from '../../src/validate/schema.js';
import { SHIPPED, TOPOLOGIES } from '../helpers/paths.js';

for (const name of SHIPPED) {
  test(`${name}.yaml is valid, named after its file, and points editors at the schema`, async (t) => {
    const file = join(TOPOLOGIES, `${name}.yaml`);
    const lab = await loadLab(file);
    t.is(lab.name, name);
    t.true(readFileSync(file, 'utf8').startsWith('# yaml-language-server: $schema=./lvslab.schema.json\n'));
    t.deepEqual(lab.clients.map((c) => c.name).slice(0, 1), ['client']);
    t.is(lab.gateway.name, 'gateway');
    // One director is "director"; a pair's are director1, director2.
    t.deepEqual(
      [lab.director, ...(lab.backups ?? [])].map((d) => d.name),
      lab.backups ? ['director1', 'director2'] : ['director'],
    );
    t.deepEqual(
      lab.realServers.map((r) => r.name),
      lab.realServers.map((_, i) => `rs${i + 1}`),
    );
  });
}

test('the shipped JSON Schema is exactly the one the validator uses', (t) => {
  const shipped = JSON.parse(readFileSync(join(TOPOLOGIES, 'lvslab.schema.json'), 'utf8'));
  t.deepEqual(shipped, JSON.parse(JSON.stringify(topologySchema)), 'out of date: run npm run docs');
});

test('the easy case defaults every address: a mode and a count of real servers are enough', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr.yaml'));
  t.deepEqual(
    lab.networks.map((n) => `${n.name} ${n.address}/${n.prefix}`),
    ['outside 198.51.100.0/24', 'lan 10.10.0.0/24'],
  );
  t.is(lab.clients[0].interfaces[0].address, '198.51.100.10');
  t.deepEqual(
    lab.gateway.interfaces.map((i) => i.address),
    ['198.51.100.1', '10.10.0.1'],
  );
  t.is(lab.director.interfaces[0].address, '10.10.0.2');
  t.deepEqual(
    lab.realServers.map((r) => r.interfaces[0].address),
    ['10.10.0.10', '10.10.0.11'],
  );
  t.deepEqual(
    lab.services.map((s) => `${s.protocol} ${s.vip}:${s.port} ${s.scheduler}`),
    ['tcp 10.10.0.100:80 rr', 'udp 10.10.0.100:80 rr'],
  );
  t.is(lab.realServers[0].defaultGateway, '10.10.0.1');
});

test('in nat mode the real servers route through the director', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'nat.yaml'));
  t.true(lab.realServers.every((r) => r.defaultGateway === '10.10.0.2'));
  t.is(lab.services[0].members[0].port, 8080);
});
