import test from 'ava';
import { renderJUnit, splitLabName } from '../../src/report/junit.js';

test('one testsuite per lab, failures with where, expected and observed, XML escaped', (t) => {
  const xml = renderJUnit([
    { suite: 'dr', name: 'up builds the lab', ok: true },
    {
      suite: 'dr',
      name: 'only the director answers ARP for the VIP',
      ok: false,
      details: { where: 'rs1', expected: 'director', observed: 'director, rs1 <a&b>' },
    },
    { suite: 'nat', name: 'x', ok: true },
  ]);
  t.regex(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="lvslab" tests="3" failures="1">/);
  t.regex(xml, /<testsuite name="dr" tests="2" failures="1">/);
  t.regex(xml, /<failure message="director, rs1 &lt;a&amp;b&gt;">where: rs1\nexpected: director\nobserved: director, rs1 &lt;a&amp;b&gt;<\/failure>/);
  t.regex(xml, /<testcase classname="lvslab.nat" name="x"\/>/);
});

test('TAP names `lab: assertion` split into suite and case', (t) => {
  t.deepEqual(splitLabName('dr-wrr8: tcp 10.10.0.100:80: rr spreads'), { suite: 'dr-wrr8', name: 'tcp 10.10.0.100:80: rr spreads' });
});
