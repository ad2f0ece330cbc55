import test from 'ava';
import { renderSummaryTable, type ModeSummary } from '../../src/verify/summary.js';

const row = (mode: ModeSummary['mode'], over: Partial<ModeSummary> = {}): ModeSummary => ({
  lab: mode,
  mode,
  family: 'ipv4',
  requestPath: 'client -> gateway -> director -> rs1',
  replyPath: 'rs1 -> gateway -> client',
  directorShare: 0.0004,
  realServerSaw: '198.51.100.10 (the client)',
  portMapping: 'none',
  passed: 18,
  checks: 18,
  ...over,
});

test('the demo table puts the modes side by side with paths, share, peer, mapping and checks', (t) => {
  const table = renderSummaryTable([
    row('dr'),
    row('nat', { replyPath: 'rs1 -> director -> gateway -> client', directorShare: 1.02, portMapping: '80 -> 8080, 53 -> 5353', passed: 29, checks: 30 }),
  ]);
  const [header, rule, dr, nat] = table.split('\n');
  t.regex(header, /^mode +request path +reply path +director's share of reply bytes +real server saw +port mapping +checks$/);
  t.regex(rule, /^-+ +-+/);
  t.regex(dr, /^DR +client -> gateway -> director -> rs1 +rs1 -> gateway -> client +0\.04% +198\.51\.100\.10 \(the client\) +none +18\/18$/);
  t.regex(nat, /^NAT .* rs1 -> director -> gateway -> client +102% .* 80 -> 8080, 53 -> 5353 +29\/30$/);
});

test('an IPv6 row says so beside its mode', (t) => {
  const table = renderSummaryTable([row('dr', { family: 'ipv6', lab: 'dr6', realServerSaw: '2001:db8:100::10 (the client)' })]);
  t.regex(table.split('\n')[2], /^DR \(IPv6\) +client -> .* 2001:db8:100::10 \(the client\) /);
});

test('a mode whose downloads never completed shows no share rather than a number', (t) => {
  t.regex(renderSummaryTable([row('tun', { directorShare: undefined, replyPath: '(not observed)' })]).split('\n')[2], /\(not observed\) +- +/);
});
