import test from 'ava';
import { join } from 'node:path';
import { renderMermaid, renderSvg } from '../../src/report/graph.js';
import type { ObservedPaths } from '../../src/verify/judge.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { TOPOLOGIES } from '../helpers/paths.js';

const hop = (from: string, to: string, network: string, carried = true) => ({ from, to, network, share: carried ? 1 : 0.02, carried });
const drPaths = (replyCarried: boolean): ObservedPaths => ({
  lab: 'dr',
  mode: 'dr',
  realServer: 'rs1',
  request: [hop('client', 'gateway', 'outside'), hop('gateway', 'director', 'lan'), hop('director', 'rs1', 'lan')],
  reply: [hop('rs1', 'gateway', 'lan', replyCarried), hop('gateway', 'client', 'outside')],
});

test('the SVG draws every node, the request path in blue and the reply path in red', async (t) => {
  const svg = renderSvg(await loadLab(join(TOPOLOGIES, 'dr.yaml')), drPaths(true));
  for (const name of ['client', 'gateway', 'director', 'rs1', 'rs2']) t.regex(svg, new RegExp(`font-weight="bold">${name}</text>`));
  t.is((svg.match(/stroke="#1f6feb"/g) ?? []).length, 3);
  t.is((svg.match(/stroke="#d1242f"/g) ?? []).length, 2);
  t.notRegex(svg, /stroke-dasharray/);
  t.regex(svg, /reply path \(red\) rs1 → gateway → client/);
});

test('a hop the traffic did not take is dashed', async (t) => {
  const svg = renderSvg(await loadLab(join(TOPOLOGIES, 'dr.yaml')), drPaths(false));
  t.is((svg.match(/stroke-dasharray/g) ?? []).length, 1);
});

test('without an observed path the picture says so', async (t) => {
  t.regex(renderSvg(await loadLab(join(TOPOLOGIES, 'dr.yaml')), undefined), /no path observed/);
});

test('the Mermaid text has the links and both paths, styled', async (t) => {
  const text = renderMermaid(await loadLab(join(TOPOLOGIES, 'dr.yaml')), drPaths(false));
  t.true(text.startsWith('flowchart LR\n'));
  t.regex(text, /director -->\|request\| rs1/);
  t.regex(text, /rs1 -\.->\|reply\| gateway/);
  t.regex(text, /linkStyle \d+ stroke:#d1242f/);
});

test("the picture and the Mermaid text show the director's netfilter hooks as verify counted them", async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr.yaml'));
  const paths = { ...drPaths(true), directorHooks: { request: ['prerouting', 'input', 'output', 'postrouting'] as const, reply: [] } };
  const svg = renderSvg(lab, { ...paths, directorHooks: { request: [...paths.directorHooks.request], reply: [] } });
  t.regex(svg, /director&apos;s netfilter hooks: request prerouting → input → output → postrouting; reply none/);
  const text = renderMermaid(lab, { ...paths, directorHooks: { request: [...paths.directorHooks.request], reply: [] } });
  t.regex(text, /director_hooks\[\/"director's netfilter hooks: request prerouting → input → output → postrouting; reply none"\/\]/);
  t.regex(text, /director_hooks -\.- director/);
});

const pairPaths = (masterCarried: boolean): ObservedPaths => ({
  lab: 'dr-pair',
  mode: 'dr',
  realServer: 'rs1',
  request: [hop('client', 'gateway', 'outside'), hop('gateway', 'director1', 'lan', masterCarried), hop('director1', 'rs1', 'lan', masterCarried)],
  reply: [hop('rs1', 'gateway', 'lan'), hop('gateway', 'client', 'outside')],
});

test('a director pair: both directors drawn, the master with the VIP and whether it carried the traffic, the backup as such', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr-pair.yaml'));
  const svg = renderSvg(lab, pairPaths(true));
  for (const name of ['director1', 'director2']) t.regex(svg, new RegExp(`font-weight="bold">${name}</text>`));
  t.regex(svg, /VRRP master: carried the traffic/);
  t.regex(svg, /VRRP backup: carried none/);
  t.is((svg.match(/>VIP 10\.10\.0\.100</g) ?? []).length, 1, 'the VIP on the master alone');
  const idle = renderSvg(lab, pairPaths(false));
  t.regex(idle, /VRRP master: did not carry it/);
  t.notRegex(idle, /carried none/, 'when the master did not carry it, nothing is claimed of the backup');
  t.regex(renderMermaid(lab, pairPaths(true)), /director2\["director2<br\/>10\.10\.0\.3<br\/>VRRP backup: carried none"\]/);
});
