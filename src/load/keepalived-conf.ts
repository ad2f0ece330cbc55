/**
 * Stage 1, load, for a lab that brings its own keepalived.conf (`keepalived: { config: FILE }`): each file is
 * read (beside the topology) and parsed into keepalived's statement tree with line:col, so that validate can
 * refuse what it does not understand at file:line. The grammar is keepalived's: one statement a line, a block
 * opened by `{` (at the end of its line or alone on the next) and closed by `}`, comments from `#` or `!`.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { readFailure, type LoadedTopology } from './load-topology.js';

/** One statement: its keyword, the words after it and, for a block, what it holds. */
export interface ConfStatement {
  keyword: string;
  args: string[];
  line: number;
  col: number;
  children?: ConfStatement[];
}

export interface ConfSyntaxProblem {
  line: number;
  col: number;
  message: string;
}

/** A config file as the topology names it: its text, or why it could not be read. */
export interface ConfFile {
  /** As written in the topology. */
  name: string;
  /** Resolved against the topology's folder. */
  file: string;
  text?: string;
  error?: string;
}

/** keepalived.conf files of a lab are small; anything larger is refused before parsing. */
export const MAX_CONF_BYTES = 256 * 1024;

/** The `keepalived.config` entries of a loaded topology, whatever their shape (the shape check judges it later). */
export function configNames(data: unknown): string[] {
  const keepalived = (data as { keepalived?: unknown } | null)?.keepalived;
  const config = typeof keepalived === 'object' && keepalived !== null ? (keepalived as { config?: unknown }).config : undefined;
  const names = typeof config === 'string' ? [config] : Array.isArray(config) ? config : [];
  return names.filter((n): n is string => typeof n === 'string');
}

/** Reads every config file the topology names (relative to the topology's folder); nothing is parsed here. */
export async function readConfFiles(loaded: LoadedTopology): Promise<ConfFile[]> {
  return Promise.all(
    configNames(loaded.data).map(async (name): Promise<ConfFile> => {
      const file = isAbsolute(name) ? name : resolve(dirname(loaded.file), name);
      try {
        // Judged before reading: a device (/dev/zero) or a huge file is refused, not read.
        const info = await stat(file);
        if (info.isDirectory()) return { name, file, error: 'it is a directory' };
        if (!info.isFile()) return { name, file, error: 'not a regular file' };
        if (info.size > MAX_CONF_BYTES) return { name, file, error: `the file has ${info.size} bytes; a keepalived.conf here is at most ${MAX_CONF_BYTES}` };
        const bytes = await readFile(file);
        if (bytes.includes(0)) return { name, file, error: 'not a text file (a NUL byte)' };
        return { name, file, text: bytes.toString('utf8') };
      } catch (error) {
        return { name, file, error: readFailure(error) ?? 'unreadable' };
      }
    }),
  );
}

/** Words of one line: quoted strings stay whole, `{` and `}` stand alone, a comment ends the line. */
function wordsOf(line: string): Array<{ word: string; col: number }> {
  const words: Array<{ word: string; col: number }> = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#' || c === '!') break;
    else if (c === '{' || c === '}') words.push({ word: c, col: ++i });
    else if (c === '"') {
      const end = line.indexOf('"', i + 1);
      const stop = end === -1 ? line.length : end + 1;
      words.push({ word: line.slice(i + 1, end === -1 ? line.length : end), col: i + 1 });
      i = stop;
    } else {
      const start = i;
      while (i < line.length && !' \t\r{}#!"'.includes(line[i])) i++;
      words.push({ word: line.slice(start, i), col: start + 1 });
    }
  }
  return words;
}

/** The statement tree of a keepalived.conf, and every brace that does not balance. */
export function parseKeepalivedConf(text: string): { statements: ConfStatement[]; problems: ConfSyntaxProblem[] } {
  const root: ConfStatement = { keyword: '', args: [], line: 0, col: 0, children: [] };
  const open: ConfStatement[] = [root];
  const problems: ConfSyntaxProblem[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    let current: ConfStatement | undefined;
    for (const { word, col } of wordsOf(line)) {
      const top = open[open.length - 1];
      if (word === '{') {
        // `{` alone on a line opens the block of the statement before it.
        const owner = current ?? top.children!.at(-1);
        if (!owner || owner.children) problems.push({ line: index + 1, col, message: 'a `{` with no keyword before it to open a block for' });
        else {
          owner.children = [];
          open.push(owner);
        }
        current = undefined;
      } else if (word === '}') {
        if (open.length === 1) problems.push({ line: index + 1, col, message: 'a `}` with no open block to close' });
        else open.pop();
        current = undefined;
      } else if (current) current.args.push(word);
      else {
        current = { keyword: word, args: [], line: index + 1, col };
        top.children!.push(current);
      }
    }
  }
  for (const block of open.slice(1))
    problems.push({ line: block.line, col: block.col, message: `the block \`${block.keyword}\` opened here is never closed: a \`}\` is missing` });
  return { statements: root.children!, problems };
}
