import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeIpvs, parseIpvsList, parseIpvsStats } from '../../src/verify/parse-ipvsadm.js';
import { FIXTURES } from '../helpers/paths.js';

const captured = (name: string) => readFileSync(join(FIXTURES, 'captured', name), 'utf8');

test('ipvsadm -Ln is read into services with scheduler and members with forward method and weight', (t) => {
  const services = parseIpvsList(captured('ipvsadm-list.txt'));
  t.deepEqual(
    services.map((s) => `${s.protocol} ${s.address} ${s.scheduler}`),
    ['tcp 10.10.0.100:80 rr', 'udp 10.10.0.100:53 rr'],
  );
  t.deepEqual(
    services[0].members.map((m) => `${m.address} ${m.forward} ${m.weight}`),
    ['10.10.0.10:8080 Masq 1', '10.10.0.11:8080 Masq 1'],
  );
});

test('ipvsadm -Ln --stats --exact is read into counters per service and member', (t) => {
  const [tcp, udp] = parseIpvsStats(captured('ipvsadm-stats.txt'));
  t.like(tcp, { conns: 1, inPackets: 5, outPackets: 5, inBytes: 343, outBytes: 388 });
  t.like(tcp.members[1], { address: '10.10.0.11:8080', conns: 1, outBytes: 388 });
  t.like(udp, { protocol: 'udp', conns: 0 });
});

test('both listings merge by service and member', (t) => {
  const merged = mergeIpvs(parseIpvsList(captured('ipvsadm-list.txt')), parseIpvsStats(captured('ipvsadm-stats.txt')));
  t.like(merged[0].members[1], { forward: 'Masq', weight: 1, outPackets: 5 });
  t.is(merged[0].scheduler, 'rr');
});

test('persistence flags and route forwarding are read as well', (t) => {
  const text =
    'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn ' +
    'InActConn\nTCP  10.10.0.100:80 sh persistent 300\n  -> 10.10.0.10:80                Route   3      0          2\n';
  const [service] = parseIpvsList(text);
  t.is(service.flags, 'persistent 300');
  t.like(service.members[0], { forward: 'Route', weight: 3, inactiveConns: 2 });
});
