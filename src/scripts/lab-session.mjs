#!/usr/bin/env zx
// A lab for the length of one command, to copy and adapt: brings the lab up, verifies it, runs the
// command (default: `lvslab status`), and always takes the lab down again, also when verify or the
// command fails or on Ctrl-C. Exits with the first failure's status.
//   zx src/scripts/lab-session.mjs topologies/dr.yaml -- lvslab exec dr client -- curl -s http://10.10.0.100/
// Needs root and a kernel with IPVS (inside `lvslab vm --shell` where the host has none).
// LVSLAB names the lvslab command (default: lvslab on PATH).
import { $, argv } from 'zx';

const [topology] = argv._;
const dash = process.argv.indexOf('--');
const command = dash === -1 ? [] : process.argv.slice(dash + 1);
if (!topology) {
  console.error('usage: zx lab-session.mjs TOPOLOGY [-- COMMAND...]');
  process.exit(2);
}
const lvslab = (process.env.LVSLAB ?? 'lvslab').split(' ');
const sh = $({ stdio: 'inherit', nothrow: true });

let status = 0;
const down = async () => {
  const result = await sh`${lvslab} down ${topology}`;
  return result.exitCode;
};
process.once('SIGINT', async () => {
  await down();
  process.exit(130);
});
const up = await sh`${lvslab} up ${topology} --runner host`;
if (up.exitCode !== 0) process.exit(up.exitCode ?? 1); // a failed up has already rolled back
try {
  for (const step of [[...lvslab, 'verify', topology, '--runner', 'host'], command.length ? command : [...lvslab, 'status']]) {
    const result = await sh`${step}`;
    if (result.exitCode !== 0) {
      status = result.exitCode ?? 1;
      break;
    }
  }
} finally {
  const downStatus = await down();
  if (status === 0) status = downStatus ?? 0;
}
process.exit(status);
