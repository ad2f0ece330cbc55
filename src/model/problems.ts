/**
 * Bad input is reported all at once: every problem with file:line:col, its YAML path and what is allowed.
 */
/** A path into the YAML document: keys and list indexes. */
export type YamlPath = Array<string | number>;

export interface Problem {
  file: string;
  line: number;
  col: number;
  path: Array<string | number>;
  message: string;
}

/** Text from the input, cut short for a message: a 100,000-character key is not echoed back. */
export function clip(text: string, max = 60): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a terminal
  const printable = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return printable.length <= max ? printable : `${printable.slice(0, max)}… (${text.length} characters)`;
}

/** `services[0].scheduler`; the document root is `(root)`. */
export function renderPath(path: Array<string | number>): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? clip(p) : `.${clip(p)}`)).join('');
}

export function formatProblem(problem: Problem): string {
  return `${problem.file}:${problem.line}:${problem.col}: ${renderPath(problem.path)}: ${problem.message}`;
}

/** Thrown by load and validate; the CLI prints every problem and exits 2. */
export class TopologyError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'TopologyError';
    this.problems = problems;
  }
}
