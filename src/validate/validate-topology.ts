/**
 * The validate stage's entry: loaded YAML (and the keepalived.conf files it names) -> shape check -> resolve,
 * every problem with its position.
 */
import type { Lab } from '../model/lab.js';
import { loadTopologyFile, type LoadedTopology } from '../load/load-topology.js';
import { readConfFiles, type ConfFile } from '../load/keepalived-conf.js';
import { checkShape, type ShapeProblem } from './check-shape.js';
import { TopologyError, type Problem } from '../model/problems.js';
import { resolveTopology, type RawTopology } from './resolve.js';
import { topologySchema } from './schema.js';
import { checkAgainstLab, ownConfig, placeOf } from './own-config/own-config.js';
import { directorsOf } from '../model/lab.js';

/** `confs`: the files `keepalived.config` names, as load read them (none when the topology names none). */
export function validateLoaded(loaded: LoadedTopology, confs: ConfFile[] = []): Lab {
  const toProblem = (p: ShapeProblem | Problem): Problem =>
    'file' in p ? p : { file: loaded.file, ...loaded.locate(p.path, { key: p.atKey }), path: p.path, message: p.message };
  const shapeProblems = checkShape(loaded.data, topologySchema);
  if (shapeProblems.length > 0) throw new TopologyError(shapeProblems.map(toProblem));
  const own = ownConfig(loaded.data as RawTopology, confs);
  if (own && own.problems.length > 0) throw new TopologyError(own.problems.map(toProblem));
  const { lab, problems } = resolveTopology(own?.raw ?? (loaded.data as RawTopology), loaded.file);
  // A problem with what an own keepalived.conf says stands at its line there.
  const placed = (p: ShapeProblem): Problem => {
    const place = own && placeOf(own.places, p.path);
    return place ? { file: place.file, ...place.at, path: place.path, message: p.message } : toProblem(p);
  };
  if (!lab) throw new TopologyError(problems.map(placed));
  if (own) {
    const clashes = checkAgainstLab(lab, own);
    if (clashes.length > 0) throw new TopologyError(clashes);
    lab.keepalived!.own = Object.fromEntries(directorsOf(lab).map((d, i) => [d.name, { file: own.files[i].file, lines: own.files[i].lines }]));
  }
  return lab;
}

/** Reads, parses and validates a topology file (and its own keepalived.conf files); throws TopologyError listing every problem. */
export async function loadLab(file: string): Promise<Lab> {
  const loaded = await loadTopologyFile(file);
  return validateLoaded(loaded, await readConfFiles(loaded));
}
