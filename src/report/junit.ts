/** JUnit XML, for CI systems that show test reports: one testsuite per lab, one testcase per assertion. */

import { escapeXml } from './xml.js';

export interface JUnitCase {
  suite: string;
  name: string;
  ok: boolean;
  /** Shown in the failure element: where, expected, observed. */
  details?: Record<string, string>;
}

export function renderJUnit(cases: JUnitCase[]): string {
  const suites = new Map<string, JUnitCase[]>();
  for (const c of cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const failures = cases.filter((c) => !c.ok).length;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="lvslab" tests="${cases.length}" failures="${failures}">`];
  for (const [suite, members] of suites) {
    lines.push(`  <testsuite name="${escapeXml(suite)}" tests="${members.length}" failures="${members.filter((c) => !c.ok).length}">`);
    for (const c of members) {
      const open = `    <testcase classname="lvslab.${escapeXml(suite)}" name="${escapeXml(c.name)}"`;
      if (c.ok) {
        lines.push(`${open}/>`);
        continue;
      }
      const message = Object.entries(c.details ?? {})
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n');
      lines.push(`${open}>`, `      <failure message="${escapeXml(c.details?.observed ?? 'failed')}">${escapeXml(message)}</failure>`, '    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

/** A TAP point name `lab: assertion` split into suite and case. */
export function splitLabName(name: string): { suite: string; name: string } {
  const i = name.indexOf(': ');
  return i === -1 ? { suite: 'lvslab', name } : { suite: name.slice(0, i), name: name.slice(i + 2) };
}
