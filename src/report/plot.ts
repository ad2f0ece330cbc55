/**
 * Small SVG charts for the benchmark: lines over a category axis (real-server counts) and grouped
 * bars. Hand-written SVG, no dependency; values are drawn to scale from zero.
 */
import { escapeXml } from './xml.js';

export interface Series {
  name: string;
  /** One value per x category; undefined leaves a gap. */
  values: Array<number | undefined>;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  categories: string[];
  series: Series[];
  /** A dashed horizontal line with a label (e.g. the director's limit). */
  guide?: { value: number; label: string };
}

const COLORS = ['#d1242f', '#1f6feb', '#1a7f37', '#8250df', '#bc4c00', '#57606a'];
const W = 640;
const H = 360;
const PAD = { left: 70, right: 150, top: 44, bottom: 56 };

/** A round upper bound for the y axis and its tick step. */
function niceScale(max: number): { top: number; step: number } {
  const raw = Math.max(max, 1e-9) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step || step, step };
}

function frame(chart: Chart, top: number, step: number): string[] {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${PAD.left}" y="24" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
    `<text x="${PAD.left + plotW / 2}" y="${H - 14}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  ];
  for (let v = 0; v <= top + 1e-9; v += step) {
    const y = PAD.top + plotH - (v / top) * plotH;
    out.push(
      `<line x1="${PAD.left}" y1="${y}" x2="${PAD.left + plotW}" y2="${y}" stroke="#eee"/>`,
      `<text x="${PAD.left - 8}" y="${y + 4}" text-anchor="end" fill="#444">${Number(v.toPrecision(6))}</text>`,
    );
  }
  out.push(`<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${PAD.left + plotW}" y2="${PAD.top + plotH}" stroke="#444"/>`);
  chart.series.forEach((s, i) => {
    const y = PAD.top + 10 + i * 20;
    out.push(
      `<rect x="${W - PAD.right + 16}" y="${y - 9}" width="14" height="10" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${W - PAD.right + 36}" y="${y}">${escapeXml(s.name)}</text>`,
    );
  });
  return out;
}

function guideLine(chart: Chart, top: number): string[] {
  if (!chart.guide) return [];
  const plotH = H - PAD.top - PAD.bottom;
  const y = PAD.top + plotH - (chart.guide.value / top) * plotH;
  return [
    `<line x1="${PAD.left}" y1="${y}" x2="${W - PAD.right}" y2="${y}" stroke="#444" stroke-dasharray="6 4"/>`,
    `<text x="${W - PAD.right - 4}" y="${y - 6}" text-anchor="end" fill="#444">${escapeXml(chart.guide.label)}</text>`,
  ];
}

function scaleOf(chart: Chart): { top: number; step: number } {
  const values = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  return niceScale(Math.max(...values, chart.guide?.value ?? 0));
}

export function lineChart(chart: Chart): string {
  const { top, step } = scaleOf(chart);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (chart.categories.length === 1 ? plotW / 2 : (i / (chart.categories.length - 1)) * (plotW - 40) + 20);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  const out = frame(chart, top, step);
  chart.categories.forEach((c, i) => out.push(`<text x="${x(i)}" y="${PAD.top + plotH + 18}" text-anchor="middle">${escapeXml(c)}</text>`));
  out.push(...guideLine(chart, top));
  chart.series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    const points = s.values.flatMap((v, i) => (v === undefined ? [] : [[x(i), y(v)]]));
    if (points.length > 1)
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2.5" points="${points.map((p) => p.map((n) => n.toFixed(1)).join(',')).join(' ')}"/>`);
    for (const [px, py] of points) out.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="4" fill="${color}"/>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function barChart(chart: Chart): string {
  const { top, step } = scaleOf(chart);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const group = plotW / chart.categories.length;
  const bar = (group * 0.8) / chart.series.length;
  const out = frame(chart, top, step);
  chart.categories.forEach((c, i) =>
    out.push(`<text x="${PAD.left + group * (i + 0.5)}" y="${PAD.top + plotH + 18}" text-anchor="middle">${escapeXml(c)}</text>`),
  );
  chart.series.forEach((s, k) => {
    s.values.forEach((v, i) => {
      if (v === undefined) return;
      const h = (v / top) * plotH;
      out.push(
        `<rect x="${(PAD.left + group * i + group * 0.1 + bar * k).toFixed(1)}" y="${(PAD.top + plotH - h).toFixed(1)}" width="${bar.toFixed(1)}" ` +
          `height="${h.toFixed(1)}" fill="${COLORS[k % COLORS.length]}"/>`,
      );
    });
  });
  out.push(...guideLine(chart, top));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
