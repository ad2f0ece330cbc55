/** Resolver 3: node names are unique and not reserved; a clash is reported where a name was written. */
import { SWITCH_NODE } from '../../model/naming.js';
import { renderPath, type YamlPath } from '../../model/problems.js';
import type { Placements } from './nodes.js';
import type { ResolveContext } from './raw.js';

export function checkNames({ raw, report }: ResolveContext, { clients, servers, director, backups, gatewayName }: Placements): void {
  const seen = new Map<string, { path: YamlPath; explicit: boolean; label: string }>();
  const namedAt = (path: YamlPath, explicit: boolean, what: string) => ({
    path: explicit ? path : path.slice(0, -1),
    explicit,
    label: explicit ? renderPath(path) : `the default name of ${what}`,
  });
  const named: Array<{ name: string; path: YamlPath; explicit: boolean; label: string }> = [
    ...clients.map((c, i) => ({
      name: c.name,
      ...namedAt([...c.path, 'name'], typeof raw.clients === 'object' && raw.clients[i].name !== undefined, `client ${i + 1}`),
    })),
    { name: gatewayName, ...namedAt(['gateway', 'name'], raw.gateway?.name !== undefined, 'the gateway') },
    ...[director, ...backups].map((d, i) => ({
      name: d.name,
      ...namedAt(
        [...d.path, 'name'],
        typeof raw.directors === 'object' ? raw.directors[i].name !== undefined : raw.director?.name !== undefined,
        raw.directors === undefined ? 'the director' : `director ${i + 1}`,
      ),
    })),
    ...servers.map((s, i) => ({
      name: s.name,
      ...namedAt([...s.path, 'name'], typeof raw.realServers === 'object' && raw.realServers[i].name !== undefined, `real server ${i + 1}`),
    })),
  ];
  for (const entry of named) {
    const first = seen.get(entry.name);
    if (entry.name === SWITCH_NODE) report(entry.path, `node name "${SWITCH_NODE}" is reserved for the lab's switch namespace`);
    else if (first && !entry.explicit && first.explicit) report(first.path, `node name "${entry.name}" is already used (${entry.label})`);
    else if (first) report(entry.path, `node name "${entry.name}" is already used (${first.label})`);
    else seen.set(entry.name, entry);
  }
}
