/**
 * `lvslab graph`: the lab as a picture, with the request and the reply path that verify observed drawn
 * distinctly (blue and red; a hop that did not carry the traffic dashed). SVG laid out here, in
 * columns (clients, client networks, gateway, other networks, director and real servers), and Mermaid
 * text for Markdown.
 */
import { viewFamily } from '../model/family-view.js';
import { allNodes, directorsOf, type Lab, type Node } from '../model/lab.js';
import type { ObservedHop, ObservedPaths } from '../verify/judge.js';
import { escapeXml } from './xml.js';

const REQUEST = '#1f6feb';
const REPLY = '#d1242f';
const COLUMN = { client: 80, clientNet: 210, gateway: 340, net: 450, server: 640 };
/** Networks behind the gateway each get their own bar, this far apart. */
const BAR_GAP = 36;
const ROW = 86;
const BOX = { w: 136, h: 46 };
const LINE = 12;

interface Layout {
  nodes: Map<string, { x: number; y: number }>;
  /** network -> bar x and its y range */
  bars: Map<string, { x: number; y1: number; y2: number }>;
  width: number;
  height: number;
}

function clientNetworks(lab: Lab): Set<string> {
  return new Set(lab.clients.map((c) => c.interfaces[0].network));
}

export function layout(lab: Lab): Layout {
  const nodes = new Map<string, { x: number; y: number }>();
  const top = 140;
  lab.clients.forEach((c, i) => nodes.set(c.name, { x: COLUMN.client, y: top + i * ROW }));
  const directors = directorsOf(lab);
  const servers: Node[] = lab.networks.flatMap((n) => lab.realServers.filter((rs) => rs.interfaces[0].network === n.name));
  // The director(s) first, then the real servers on the director's network, then each routed network's, in network order.
  const lan = lab.director.interfaces[0].network;
  servers.sort((a, b) => Number(a.interfaces[0].network !== lan) - Number(b.interfaces[0].network !== lan));
  const right = [...directors, ...servers];
  right.forEach((n, i) => nodes.set(n.name, { x: COLUMN.server, y: top + i * ROW }));
  const bottom = Math.max(top + (lab.clients.length - 1) * ROW, top + (right.length - 1) * ROW);
  nodes.set(lab.gateway.name, { x: COLUMN.gateway, y: (top + bottom) / 2 });
  const bars = new Map<string, { x: number; y1: number; y2: number }>();
  let behind = 0;
  for (const net of lab.networks) {
    const members = allNodes(lab)
      .filter((n) => n !== lab.gateway && n.interfaces.some((i) => i.network === net.name))
      .map((n) => nodes.get(n.name)!.y);
    const ys = members.length ? members : [nodes.get(lab.gateway.name)!.y];
    const x = clientNetworks(lab).has(net.name) ? COLUMN.clientNet : COLUMN.net + BAR_GAP * behind++;
    bars.set(net.name, { x, y1: Math.min(...ys) - 30, y2: Math.max(...ys) + 30 });
  }
  return { nodes, bars, width: COLUMN.server + BOX.w / 2 + 40, height: bottom + 120 };
}

/** A hop drawn as node -> its network's bar -> node, offset so that both paths stay visible. */
function hopPoints(l: Layout, hop: ObservedHop, offset: number): string {
  const a = l.nodes.get(hop.from)!;
  const b = l.nodes.get(hop.to)!;
  const bar = l.bars.get(hop.network)!;
  const bx = bar.x + offset;
  const side = (p: { x: number }) => (p.x < bar.x ? p.x + BOX.w / 2 : p.x - BOX.w / 2);
  return [
    [side(a), a.y + offset],
    [bx, a.y + offset],
    [bx, b.y + offset],
    [side(b), b.y + offset],
  ]
    .map(([x, y]) => `${x},${y}`)
    .join(' ');
}

const overIPv6 = (lab: Lab) => (viewFamily(lab) === 'ipv6' ? ' over IPv6' : '');

export function renderSvg(lab: Lab, paths: ObservedPaths | undefined): string {
  const l = layout(lab);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}" font-family="sans-serif" ` +
      `font-size="12">`,
    '<defs>',
    ...[
      ['req', REQUEST],
      ['rep', REPLY],
    ].map(
      ([id, color]) =>
        `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" ` +
        `fill="${color}"/></marker>`,
    ),
    '</defs>',
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="16" y="26" font-size="15" font-weight="bold">lab ${escapeXml(lab.name)}: ${lab.mode.toUpperCase()}${overIPv6(lab)}</text>`,
  ];
  const legend = paths
    ? `request path (blue) ${escapeXml(pathText(paths.request))}; reply path (red) ${escapeXml(pathText(paths.reply))}`
    : 'no path observed: no 1 MiB download completed';
  out.push(
    `<text x="16" y="48" fill="#444">${legend}</text>`,
    `<text x="16" y="66" fill="#444">dashed: a hop the traffic did not take as the mode promises; grey bars: networks (bridges)</text>`,
  );
  const hooks = hooksText(paths);
  if (hooks) out.push(`<text x="16" y="84" fill="#444">${escapeXml(hooks)}</text>`);
  for (const [name, bar] of l.bars) {
    out.push(
      `<line x1="${bar.x}" y1="${bar.y1}" x2="${bar.x}" y2="${bar.y2}" stroke="#bbb" stroke-width="6"/>`,
      `<text x="${bar.x}" y="${bar.y1 - 8}" text-anchor="middle" fill="#666" font-size="11">${escapeXml(name)}</text>`,
    );
  }
  for (const node of allNodes(lab)) {
    const p = l.nodes.get(node.name)!;
    for (const i of node.interfaces) {
      const bar = l.bars.get(i.network)!;
      const edge = p.x < bar.x ? p.x + BOX.w / 2 : p.x - BOX.w / 2;
      out.push(`<line x1="${edge}" y1="${p.y}" x2="${bar.x}" y2="${p.y}" stroke="#ccc" stroke-width="2"/>`);
      if (node === lab.gateway)
        out.push(`<line x1="${bar.x}" y1="${Math.min(p.y, bar.y1 + 30)}" x2="${bar.x}" y2="${Math.max(p.y, bar.y2 - 30)}" stroke="#bbb" stroke-width="6"/>`);
    }
  }
  if (paths) {
    for (const [hops, color, marker, offset] of [
      [paths.request, REQUEST, 'req', -7],
      [paths.reply, REPLY, 'rep', 7],
    ] as const) {
      for (const hop of hops) {
        out.push(
          `<polyline points="${hopPoints(l, hop, offset)}" fill="none" stroke="${color}" stroke-width="2.5" ` +
            `marker-end="url(#${marker})"${hop.carried ? '' : ' stroke-dasharray="6 4" opacity="0.7"'}/>`,
        );
      }
    }
  }
  for (const node of allNodes(lab)) {
    const p = l.nodes.get(node.name)!;
    const lines = [...node.interfaces.map((i) => i.address), ...directorLines(lab, node, paths)];
    const height = BOX.h + LINE * (lines.length - 1);
    out.push(
      `<rect x="${p.x - BOX.w / 2}" y="${p.y - height / 2}" width="${BOX.w}" height="${height}" rx="8" fill="#f6f8fa" stroke="#333"/>`,
      `<text x="${p.x}" y="${p.y - height / 2 + 17}" text-anchor="middle" font-weight="bold">${escapeXml(node.name)}</text>`,
      ...lines.map(
        (text, k) => `<text x="${p.x}" y="${p.y - height / 2 + 32 + k * LINE}" text-anchor="middle" font-size="10" fill="#444">${escapeXml(text)}</text>`,
      ),
    );
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/**
 * What a director's box says: the VIP on the one that holds it; in a VRRP pair, which is the master and
 * whether the observed traffic went through it (verify's path runs through the master), and the backup as such.
 */
export function directorLines(lab: Lab, node: Node, paths: ObservedPaths | undefined): string[] {
  // Through one director or the other: when the master carried the request, the backup carried none of it.
  const masterCarried = paths?.request.some((h) => h.to === lab.director.name && h.carried);
  if (node === lab.director) {
    if (!lab.backups?.length) return [`VIP ${lab.services[0].vip}`];
    return [`VIP ${lab.services[0].vip}`, paths ? `VRRP master: ${masterCarried ? 'carried the traffic' : 'did not carry it'}` : 'VRRP master'];
  }
  return lab.backups?.includes(node) ? [masterCarried ? 'VRRP backup: carried none' : 'VRRP backup'] : [];
}

/** The director's netfilter hooks as verify counted them, in one line. */
export function hooksText(paths: ObservedPaths | undefined): string | undefined {
  const hooks = paths?.directorHooks;
  if (!hooks) return undefined;
  const walk = (list: string[]) => (list.length ? list.join(' → ') : 'none');
  return `director's netfilter hooks: request ${walk(hooks.request)}; reply ${walk(hooks.reply)}`;
}

function pathText(hops: ObservedHop[]): string {
  return hops.length ? [hops[0].from, ...hops.map((h) => h.to)].join(' → ') : '';
}

export function renderMermaid(lab: Lab, paths: ObservedPaths | undefined): string {
  const lines = ['flowchart LR'];
  for (const node of allNodes(lab))
    lines.push(`  ${node.name}["${[node.name, node.interfaces.map((i) => i.address).join(' '), ...directorLines(lab, node, paths)].join('<br/>')}"]`);
  for (const net of lab.networks) lines.push(`  net_${net.name}{{"${net.name} ${net.address}/${net.prefix}"}}`);
  let index = 0;
  const styles: string[] = [];
  for (const node of allNodes(lab)) {
    for (const i of node.interfaces) {
      lines.push(`  ${node.name} --- net_${i.network}`);
      styles.push(`  linkStyle ${index++} stroke:#bbb`);
    }
  }
  if (paths) {
    for (const [hops, color, label] of [
      [paths.request, REQUEST, 'request'],
      [paths.reply, REPLY, 'reply'],
    ] as const) {
      for (const hop of hops) {
        lines.push(`  ${hop.from} ${hop.carried ? '-->' : '-.->'}|${label}| ${hop.to}`);
        styles.push(`  linkStyle ${index++} stroke:${color},stroke-width:2px`);
      }
    }
  }
  const hooks = hooksText(paths);
  if (hooks) {
    lines.push(`  ${lab.director.name}_hooks[/"${hooks}"/]`, `  ${lab.director.name}_hooks -.- ${lab.director.name}`);
    styles.push(`  linkStyle ${index++} stroke:#888`);
  }
  return [...lines, ...styles].join('\n') + '\n';
}
