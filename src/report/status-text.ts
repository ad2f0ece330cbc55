/** `lvslab status` for people: one block per node, the IPVS table under the director. */
import type { LabStatus } from '../verify/lab-status.js';

export function renderStatus(status: LabStatus): string {
  const lines = [`lab ${status.lab} (plan ${status.planHash})`];
  for (const node of status.nodes) {
    lines.push(`  ${node.node}  [netns ${node.namespace}]`);
    for (const i of node.interfaces) {
      lines.push(
        `    ${i.name.padEnd(14)} ${i.state.padEnd(7)} ${i.mac.padEnd(17)} ${i.addresses.join(' ').padEnd(34)} rx ${i.rxBytes} B/${i.rxPackets} p  tx ` +
          `${i.txBytes} B/${i.txPackets} p`,
      );
    }
    for (const r of node.routes) lines.push(`    route ${r}`);
    for (const s of node.ipvs ?? []) {
      lines.push(
        `    ipvs ${s.protocol} ${s.address} ${s.scheduler ?? ''}${s.flags ? ` ${s.flags}` : ''}  conns ${s.conns ?? 0} in ${s.inPackets ?? 0} ` +
          `p/${s.inBytes ?? 0} B out ${s.outPackets ?? 0} p/${s.outBytes ?? 0} B`,
      );
      for (const m of s.members) {
        lines.push(
          `      -> ${m.address.padEnd(21)} ${String(m.forward).padEnd(8)} w ${m.weight}  conns ${m.conns ?? 0} in ${m.inPackets ?? 0} p out ` +
            `${m.outPackets ?? 0} p`,
        );
      }
    }
  }
  return lines.join('\n');
}
