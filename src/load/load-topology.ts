/**
 * Stage 1, load: a topology file becomes its YAML document with positions, so that every later
 * problem can be reported as file:line:col with its YAML path.
 */
import { readFile } from 'node:fs/promises';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import { clip, TopologyError, type Problem } from '../model/problems.js';

export type { YamlPath } from '../model/problems.js';
import type { YamlPath } from '../model/problems.js';

export interface LoadedTopology {
  file: string;
  text: string;
  data: unknown;
  /** line:col of a value (or, with `key`, of the key that names it); nearest existing ancestor otherwise. */
  locate(path: YamlPath, options?: { key?: boolean }): { line: number; col: number };
}

/** A topology is a small text file; anything larger is a mistake (or an attack), refused before parsing. */
export const MAX_TOPOLOGY_BYTES = 1024 * 1024;
/** A topology nests at most a few levels (services[0].weights.rs1); far deeper input is refused before it is converted. */
export const MAX_DEPTH = 32;
/** Alias expansions allowed while converting; a "billion laughs" stops here. */
const MAX_ALIAS_COUNT = 100;

export async function loadTopologyFile(file: string): Promise<LoadedTopology> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason = readFailure(error) ?? (error as Error).message;
    throw new TopologyError([{ file, line: 1, col: 1, path: [], message: `cannot read topology: ${reason}` }]);
  }
  return parseTopology(textOf(bytes, file), file);
}

/** The file's text, or a problem when it is too large or not UTF-8 text. */
function textOf(bytes: Buffer, file: string): string {
  const refuse = (message: string, at = 0): never => {
    const before = bytes.subarray(0, at).toString('latin1');
    const line = before.split('\n').length;
    throw new TopologyError([{ file, line, col: at - before.lastIndexOf('\n'), path: [], message }]);
  };
  if (bytes.length > MAX_TOPOLOGY_BYTES) refuse(`the file has ${bytes.length} bytes; a topology is YAML text of at most ${MAX_TOPOLOGY_BYTES} bytes`);
  const nul = bytes.indexOf(0);
  if (nul !== -1) refuse(`not a text file (a NUL byte at byte ${nul}); a topology is YAML text`, nul);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse('not a text file (bytes that are not UTF-8); a topology is YAML text');
  }
}

/** Why a file could not be read, in words, for the errors users meet; undefined for others. */
export function readFailure(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : undefined;
}

/** Parses YAML text; syntax errors, alias bombs and absurd nesting become problems with their positions. */
export function parseTopology(text: string, file: string): LoadedTopology {
  const lineCounter = new LineCounter();
  const at = (offset: number, message: string): Problem => ({ file, ...lineCounter.linePos(offset), path: [], message });
  // logLevel error: the parser's warnings (a list as a key) are not printed; the shape check refuses such keys.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) throw new TopologyError(doc.errors.map((error) => at(error.pos[0], yamlMessage(error.code, error.message))));
  const deepest = deepestNode(doc);
  if (deepest.depth > MAX_DEPTH) throw new TopologyError([at(deepest.offset, `the YAML nests more than ${MAX_DEPTH} levels deep; a topology needs a handful`)]);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new TopologyError([at(aliasOffset(doc, error as Error), aliasMessage(error as Error))]);
  }
  return {
    file,
    text,
    data,
    locate: (path, options) => {
      const offset = offsetOf(doc, path, options?.key ?? false);
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, col: pos.col };
    },
  };
}

/** The parser's message in the user's terms, one line, never echoing much of the input. */
function yamlMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS')
    return 'a topology file holds one YAML document; a second one starts here (remove the `---` line and what follows, or put it in its own file)';
  if (/Maximum call stack/.test(message)) return `the YAML nests too deeply; a topology nests at most ${MAX_DEPTH} levels`;
  return `YAML syntax: ${clip(message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), 160)}`;
}

function aliasMessage(error: Error): string {
  if (/Excessive alias count/.test(error.message))
    return `YAML aliases expand too much (more than ${MAX_ALIAS_COUNT} expansions: an alias bomb?); write the values out or use fewer aliases`;
  const unresolved = /Unresolved alias[^:]*: (.*)$/.exec(error.message);
  if (unresolved) return `YAML alias *${clip(unresolved[1], 40)} refers to no anchor before it (define &${clip(unresolved[1], 40)} first)`;
  return `the YAML cannot be converted: ${clip(error.message, 160)}`;
}

/** Where the alias that broke conversion stands: the unresolved one by name, else the first alias. */
function aliasOffset(doc: Document, error: Error): number {
  const name = /Unresolved alias[^:]*: (.*)$/.exec(error.message)?.[1];
  let offset: number | undefined;
  visit(doc, {
    Alias: (_key, node) => {
      if (offset === undefined && (name === undefined || node.source === name)) {
        offset = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset ?? 0;
}

/** The deepest collection nesting, walked without recursion (the input may be hostile). */
function deepestNode(doc: Document): { depth: number; offset: number } {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 0 }];
  let deepest = { depth: 0, offset: 0 };
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isAlias(node) || !(isMap(node) || isSeq(node))) continue;
    if (depth + 1 > deepest.depth) deepest = { depth: depth + 1, offset: node.range?.[0] ?? 0 };
    if (deepest.depth > MAX_DEPTH) break;
    for (const item of node.items) {
      if (isPair(item)) stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return deepest;
}

/** Walks the document along a path; stops at the deepest node that exists. */
function offsetOf(doc: Document, path: YamlPath, wantKey: boolean): number {
  let node: YamlNode | null | undefined = doc.contents as YamlNode | null;
  let offset = node?.range?.[0] ?? 0;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      // A collection used as a key is named by its text, as the conversion to JS names it.
      const pair = node.items.find((item) => isPair(item) && (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(segment));
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
