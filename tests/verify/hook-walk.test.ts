import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab } from '../../src/validate/validate-topology.js';
import { HOOKS, hookWalkCheck, parseWalk, walkTable, type Walk } from '../../src/verify/hook-walk.js';
import { FIXTURES, TOPOLOGIES } from '../helpers/paths.js';

/** `nft -j list table ip lvslab_walk` after one request, captured in the microVM. */
const captured = (mode: string) => parseWalk(readFileSync(join(FIXTURES, 'captured', `nft-walk-${mode}.json`), 'utf8'));
const lab = (mode: string) => loadLab(join(TOPOLOGIES, `${mode}.yaml`));

test('the counting table has a chain per hook, before conntrack, NAT and IPVS, counting both directions', async (t) => {
  const text = walkTable(await lab('nat')).join('\n');
  for (const hook of HOOKS) t.regex(text, new RegExp(`chain ${hook} \\{\\n {4}type filter hook ${hook} priority -300; policy accept;`));
  t.regex(text, /ip saddr \{ 198\.51\.100\.10, 198\.51\.100\.11 \} counter comment "request"/);
  t.regex(text, /ip saddr \{ 10\.10\.0\.10, 10\.10\.0\.11 \} ip daddr != \{ 198\.51\.100\.10, 198\.51\.100\.11 \} counter comment "reply"/);
});

test('NAT as the kernel walks it: request prerouting, input, output, postrouting; reply prerouting, forward, postrouting', async (t) => {
  const check = hookWalkCheck(await lab('nat'), captured('nat'));
  t.true(check.ok, check.observed);
  t.is(
    check.observed,
    'request prerouting -> input -> output -> postrouting (packets: prerouting 9, input 9, output 9, postrouting 9); reply prerouting -> forward -> ' +
      'postrouting (packets: prerouting 9, forward 9, postrouting 9)',
  );
});

test('DR: the request also crosses output (IPVS sends through LOCAL_OUT), and no reply touches the director', async (t) => {
  const check = hookWalkCheck(await lab('dr'), captured('dr'));
  t.true(check.ok, check.observed);
  t.regex(check.expected, /the LVS pages draw prerouting -> input -> postrouting/);
  t.regex(check.observed, /reply none \(it bypasses the director\)$/);
});

test('a DR director that carries replies fails the walk, and says which hooks they crossed', async (t) => {
  const walk: Walk = captured('dr');
  walk.prerouting.reply = 700;
  walk.forward.reply = 700;
  walk.postrouting.reply = 700;
  const check = hookWalkCheck(await lab('dr'), walk);
  t.false(check.ok);
  t.regex(check.observed, /reply prerouting -> forward -> postrouting \(packets: prerouting 700, forward 700, postrouting 700\)$/);
});

test('a NAT lab whose replies bypass the director fails the walk', async (t) => {
  const walk: Walk = captured('nat');
  for (const hook of HOOKS) walk[hook].reply = 0;
  const check = hookWalkCheck(await lab('nat'), walk);
  t.false(check.ok);
  t.regex(check.observed, /reply none/);
});

test('a NAT captured walk judged as DR fails: the director carried replies', async (t) => {
  t.false(hookWalkCheck(await lab('dr'), captured('nat')).ok);
});

test('counters that could not be read fail the check with the reason', async (t) => {
  const check = hookWalkCheck(await lab('tun'), 'nft could not add the counting table: Operation not supported');
  t.false(check.ok);
  t.is(check.observed, 'nft could not add the counting table: Operation not supported');
});

test("with keepalived, packets to the director's own ports (its checkers' conversations) return uncounted, where such packets arrive", async (t) => {
  const text = walkTable(await lab('dr-keepalived')).join('\n');
  const chain = (hook: string) =>
    new RegExp(
      `chain ${hook} \\{\\n {4}type filter hook ${hook} priority -300; policy accept;\\n` +
        ` {4}meta l4proto \\{ tcp, udp \\} th dport 61000-65000 return\\n {4}icmp type destination-unreachable return\\n`,
    );
  t.regex(text, chain('prerouting'));
  t.regex(text, chain('input'));
  for (const hook of ['forward', 'output', 'postrouting']) t.notRegex(text, chain(hook));
  t.notRegex(walkTable(await lab('dr')).join('\n'), /61000/);
});
