/**
 * Stage 1, load: a topology file becomes its YAML document with positions, so that every later
 * problem can be reported as file:line:col with its YAML path.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { TopologyError, type Problem } from '../validate/problems.js';

export type YamlPath = Array<string | number>;

export interface LoadedTopology {
  file: string;
  text: string;
  data: unknown;
  /** line:col of a value (or, with `key`, of the key that names it); nearest existing ancestor otherwise. */
  locate(path: YamlPath, options?: { key?: boolean }): { line: number; col: number };
}

export async function loadTopologyFile(file: string): Promise<LoadedTopology> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new TopologyError([{ file, line: 1, col: 1, path: [], message: `cannot read topology: ${reason}` }]);
  }
  return parseTopology(text, file);
}

/** Parses YAML text; syntax errors become problems with their positions. */
export function parseTopology(text: string, file: string): LoadedTopology {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: Problem[] = doc.errors.map((error) => {
    const pos = lineCounter.linePos(error.pos[0]);
    return { file, line: pos.line, col: pos.col, path: [], message: `YAML syntax: ${firstLine(error.message)}` };
  });
  if (problems.length > 0) throw new TopologyError(problems);
  return {
    file,
    text,
    data: doc.toJS(),
    locate: (path, options) => {
      const offset = offsetOf(doc, path, options?.key ?? false);
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, col: pos.col };
    },
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** Walks the document along a path; stops at the deepest node that exists. */
function offsetOf(doc: Document, path: YamlPath, wantKey: boolean): number {
  let node: YamlNode | null | undefined = doc.contents as YamlNode | null;
  let offset = node?.range?.[0] ?? 0;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return offset;
      const key = pair.key as YamlNode;
      if (last && wantKey) return key.range?.[0] ?? offset;
      node = pair.value as YamlNode | null;
      offset = node?.range?.[0] ?? key.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as YamlNode | undefined;
      if (!item) return offset;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}
