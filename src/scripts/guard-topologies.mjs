#!/usr/bin/env zx
// Guard topologies in CI (yours or ours): validate them all first (fast, no root), then up -> verify ->
// down each with `lvslab test`, writing JUnit XML for the CI's test report. Exits non-zero on any failure.
//   zx src/scripts/guard-topologies.mjs --junit lvslab-junit.xml topologies/*.yaml
// LVSLAB names the lvslab command (default: lvslab on PATH).
import { fs, $, argv } from 'zx';

const files = argv._;
const report = argv.junit ?? 'lvslab-junit.xml';
if (files.length === 0) {
  console.error('usage: zx guard-topologies.mjs [--junit FILE] TOPOLOGY...');
  process.exit(2);
}
const lvslab = (process.env.LVSLAB ?? 'lvslab').split(' ');
const validation = await $({ stdio: 'inherit', nothrow: true })`${lvslab} validate ${files}`;
if (validation.exitCode !== 0) process.exit(validation.exitCode ?? 2);
const test = await $({ stdio: ['ignore', 'pipe', 'inherit'], nothrow: true })`${lvslab} test --junit ${files}`;
await fs.writeFile(report, test.stdout);
console.log(`lvslab test: exit status ${test.exitCode}; JUnit report in ${report}`);
process.exit(test.exitCode ?? 1);
