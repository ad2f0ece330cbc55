import test from 'ava';
import { benchLab, benchTopologyText } from '../../src/bench/bench-topology.js';
import { limitCommands } from '../../src/bench/link-limits.js';

test('the bench topology is a valid lab: every real server on the LAN, two clients, one TCP service', (t) => {
  const lab = benchLab('tun', 8);
  t.is(lab.name, 'btun8');
  t.is(lab.realServers.length, 8);
  t.is(lab.clients.length, 2);
  t.true(lab.realServers.every((rs) => rs.interfaces[0].network === lab.director.interfaces[0].network));
  t.deepEqual(
    lab.services.map((s) => `${s.protocol}:${s.port}:${s.scheduler}`),
    ['tcp:80:rr'],
  );
  t.regex(benchTopologyText('dr', 64, 1), /^name: bdr64\nmode: dr\nrealServers: 64\nclients: 1\n/);
  t.is(benchLab('nat', 64, 1).realServers.length, 64);
});

test("tc limits both ends of the director's link and of each real server's, nothing else", (t) => {
  const commands = limitCommands(benchLab('dr', 2), { directorMbit: 5, serverMbit: 8 });
  t.deepEqual(
    commands.map((c) => c.argv),
    [
      ['tc', '-n', 'bdr2-switch', '-batch', '-'],
      ['tc', '-n', 'bdr2-director', '-batch', '-'],
      ['tc', '-n', 'bdr2-rs1', '-batch', '-'],
      ['tc', '-n', 'bdr2-rs2', '-batch', '-'],
    ],
  );
  t.is(
    commands[0].input,
    [
      'qdisc replace dev director-eth0 root tbf rate 5mbit burst 32kb latency 50ms',
      'qdisc replace dev rs1-eth0 root tbf rate 8mbit burst 32kb latency 50ms',
      'qdisc replace dev rs2-eth0 root tbf rate 8mbit burst 32kb latency 50ms',
      '',
    ].join('\n'),
  );
  t.is(commands[1].input, 'qdisc replace dev eth0 root tbf rate 5mbit burst 32kb latency 50ms\n');
  t.is(commands[3].input, 'qdisc replace dev eth0 root tbf rate 8mbit burst 32kb latency 50ms\n');
  t.false(commands.some((c) => /client|gateway/.test(c.argv.join(' ') + c.input)));
});
