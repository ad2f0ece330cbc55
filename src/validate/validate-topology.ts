/**
 * The validate stage's entry: loaded YAML -> shape check -> resolve, every problem with its position.
 */
import type { Lab } from '../model/lab.js';
import { loadTopologyFile, type LoadedTopology } from '../load/load-topology.js';
import { checkShape, type ShapeProblem } from './check-shape.js';
import { TopologyError, type Problem } from '../model/problems.js';
import { resolveTopology, type RawTopology } from './resolve.js';
import { topologySchema } from './schema.js';

export function validateLoaded(loaded: LoadedTopology): Lab {
  const toProblem = (p: ShapeProblem): Problem => ({ file: loaded.file, ...loaded.locate(p.path, { key: p.atKey }), path: p.path, message: p.message });
  const shapeProblems = checkShape(loaded.data, topologySchema);
  if (shapeProblems.length > 0) throw new TopologyError(shapeProblems.map(toProblem));
  const { lab, problems } = resolveTopology(loaded.data as RawTopology, loaded.file);
  if (!lab) throw new TopologyError(problems.map(toProblem));
  return lab;
}

/** Reads, parses and validates a topology file; throws TopologyError listing every problem. */
export async function loadLab(file: string): Promise<Lab> {
  return validateLoaded(await loadTopologyFile(file));
}
