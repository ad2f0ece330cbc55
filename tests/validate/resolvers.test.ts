/** Each resolver of validate/resolve on its own: what it decides, and what it reports where. */
import { assignAddresses6 } from '../../src/validate/resolve/addresses6.js';
import test from 'ava';
import { formatIPv4 } from '../../src/model/ipv4.js';
import type { YamlPath } from '../../src/model/problems.js';
import { assignAddresses } from '../../src/validate/resolve/addresses.js';
import { buildLab } from '../../src/validate/resolve/build-lab.js';
import { checkNames } from '../../src/validate/resolve/names.js';
import { resolveNetworks } from '../../src/validate/resolve/networks.js';
import { checkNodeNetworks, placeNodes } from '../../src/validate/resolve/nodes.js';
import { checkPlacements } from '../../src/validate/resolve/placement-rules.js';
import type { RawService, RawTopology } from '../../src/validate/resolve/raw.js';
import { resolveServices } from '../../src/validate/resolve/services.js';

function context(raw: RawTopology) {
  const problems: Array<{ path: YamlPath; message: string }> = [];
  return { ctx: { raw, report: (path: YamlPath, message: string) => problems.push({ path, message }) }, problems };
}
const SERVICES: RawService[] = [{ protocol: 'tcp', port: 80 }];

test('networks: the defaults are outside and lan; overlaps and a missing network are reported where they are written', (t) => {
  const { ctx, problems } = context({ name: 'x', mode: 'dr' });
  const nets = resolveNetworks(ctx);
  t.deepEqual(nets.names, ['outside', 'lan']);
  t.true(nets.check(['director', 'network'], 'lan'));
  t.false(nets.check(['director', 'network'], 'lann'));
  t.deepEqual(problems, [{ path: ['director', 'network'], message: 'network "lann" is not defined; networks: outside, lan; did you mean "lan"?' }]);
  const overlap = context({ name: 'x', mode: 'dr', networks: { a: { subnet: '10.0.0.0/16' }, b: { subnet: '10.0.1.0/24' } } });
  resolveNetworks(overlap.ctx);
  t.deepEqual(
    overlap.problems.map((p) => p.path),
    [['networks', 'b', 'subnet']],
  );
});

test("nodes: counts become named nodes; real servers default to the director's network", (t) => {
  const { ctx } = context({ name: 'x', mode: 'tun', clients: 2, realServers: 3, director: { network: 'lan' } });
  const placed = placeNodes(ctx, resolveNetworks(ctx));
  t.deepEqual(
    placed.clients.map((c) => c.name),
    ['client', 'client2'],
  );
  t.deepEqual(
    placed.servers.map((s) => `${s.name}@${s.network}`),
    ['rs1@lan', 'rs2@lan', 'rs3@lan'],
  );
  t.is(placed.gatewayName, 'gateway');
  t.true(placed.directorNetworkOk);
});

test('nodes: an unknown director network is one problem, not one more per real server that defaults to it', (t) => {
  const { ctx, problems } = context({ name: 'x', mode: 'dr', director: { network: 'nope' }, realServers: 4 });
  const nets = resolveNetworks(ctx);
  const placed = placeNodes(ctx, nets);
  checkNodeNetworks(ctx, nets, placed);
  t.is(problems.length, 1);
});

test('names: a clash with a default name is reported at the name that was written', (t) => {
  const { ctx, problems } = context({ name: 'x', mode: 'dr', realServers: 2, clients: [{ name: 'rs2' }] });
  checkNames(ctx, placeNodes(ctx, resolveNetworks(ctx)));
  t.deepEqual(problems, [{ path: ['clients', 0, 'name'], message: 'node name "rs2" is already used (the default name of real server 2)' }]);
});

test('addresses: gateway .1, director .2, VIP .100, the others from .10 up, skipping what is taken', (t) => {
  const { ctx, problems } = context({ name: 'x', mode: 'dr', realServers: [{ name: 'rs1', address: '10.10.0.10' }, { name: 'rs2' }] });
  const nets = resolveNetworks(ctx);
  const placed = placeNodes(ctx, nets);
  const addresses = assignAddresses(ctx, nets, placed, SERVICES);
  t.deepEqual(problems, []);
  t.is(formatIPv4(addresses.gatewayAddresses.get('lan')!), '10.10.0.1');
  t.is(formatIPv4(placed.director.address!), '10.10.0.2');
  t.deepEqual(
    placed.servers.map((s) => formatIPv4(s.address!)),
    ['10.10.0.10', '10.10.0.11'],
  );
  t.is(addresses.serviceVips[0].vip, '10.10.0.100');
});

test("addresses: a node on the gateway's default address is reported there, and no address is invented", (t) => {
  const { ctx, problems } = context({ name: 'x', mode: 'nat', director: { address: '10.10.0.1' } });
  const nets = resolveNetworks(ctx);
  const addresses = assignAddresses(ctx, nets, placeNodes(ctx, nets), SERVICES);
  t.false(addresses.gatewayAddresses.has('lan'));
  t.deepEqual(
    problems.map((p) => p.path),
    [['director', 'address']],
  );
});

test('placements: a client beside the director is refused; the mode decides where real servers may be', (t) => {
  const raw: RawTopology = {
    name: 'x',
    mode: 'dr',
    networks: { outside: { subnet: '198.51.100.0/24' }, lan: { subnet: '10.10.0.0/24' }, far: { subnet: '10.30.0.0/24' } },
    realServers: [{ name: 'rs1', network: 'far' }],
    clients: [{ name: 'c', network: 'lan' }],
  };
  const { ctx, problems } = context(raw);
  const nets = resolveNetworks(ctx);
  const placed = placeNodes(ctx, nets);
  checkPlacements(ctx, nets, placed, assignAddresses(ctx, nets, placed, SERVICES));
  t.deepEqual(
    problems.map((p) => p.path),
    [
      ['clients', 0, 'network'],
      ['realServers', 0, 'network'],
    ],
  );
  const tun = context({ ...raw, mode: 'tun', clients: 1 });
  const tunNets = resolveNetworks(tun.ctx);
  const tunPlaced = placeNodes(tun.ctx, tunNets);
  checkPlacements(tun.ctx, tunNets, tunPlaced, assignAddresses(tun.ctx, tunNets, tunPlaced, SERVICES));
  t.deepEqual(tun.problems, []);
});

test("services: members once each, weights per member, and the mode's port rule", (t) => {
  const raw: RawTopology = {
    name: 'x',
    mode: 'dr',
    realServers: 2,
    services: [{ port: 80, realPort: 8080, realServers: ['rs1', 'rs1'], weights: { rs1: 3 } }],
  };
  const { ctx, problems } = context(raw);
  const nets = resolveNetworks(ctx);
  const placed = placeNodes(ctx, nets);
  const services = resolveServices(ctx, placed, assignAddresses(ctx, nets, placed, raw.services!), raw.services!, [['ipv4']]);
  t.deepEqual(
    problems.map((p) => p.path),
    [
      ['services', 0, 'realPort'],
      ['services', 0, 'realServers', 1],
    ],
  );
  t.deepEqual(
    services[0].members.map((m) => `${m.realServer}:${m.port} w${m.weight}`),
    ['rs1:8080 w3'],
  );
});

test('build: the typed lab has namespaces, interfaces and default routes for every node', (t) => {
  const raw: RawTopology = { name: 'x', mode: 'nat', realServers: 1 };
  const { ctx, problems } = context(raw);
  const nets = resolveNetworks(ctx);
  const placed = placeNodes(ctx, nets);
  const addresses = assignAddresses(ctx, nets, placed, SERVICES);
  const addresses6 = assignAddresses6(ctx, nets, placed, addresses, SERVICES);
  const lab = buildLab(raw, 'x.yaml', nets, placed, addresses, resolveServices(ctx, placed, addresses, SERVICES, addresses6.families), undefined, addresses6);
  t.deepEqual(problems, []);
  t.deepEqual(
    lab.gateway.interfaces.map((i) => `${i.name} ${i.address}/${i.prefix} ${i.peer}`),
    ['eth0 198.51.100.1/24 gateway-eth0', 'eth1 10.10.0.1/24 gateway-eth1'],
  );
  t.is(lab.realServers[0].namespace, 'x-rs1');
  t.is(lab.realServers[0].defaultGateway, '10.10.0.2', 'in nat mode the real servers route through the director');
  t.is(lab.clients[0].defaultGateway, '198.51.100.1');
});
