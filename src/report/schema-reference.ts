/**
 * The README's topology reference, generated from the JSON Schema (src/validate/schema.ts) so that it
 * cannot drift: one row per key, with what is allowed and what it means. `npm run docs:reference`
 * rewrites the part of README.md between the markers; a unit test fails when they differ.
 */
import type { SchemaNode } from '../validate/schema.js';

export const REFERENCE_BEGIN = '<!-- topology-reference: generated from the JSON Schema by `npm run docs`; do not edit -->';
export const REFERENCE_END = '<!-- topology-reference: end -->';

/** What a map's values may be: nested maps, one kind of value, or anything. */
function mapValues(values: SchemaNode['additionalProperties']): string {
  if (typeof values !== 'object') return 'values';
  return values.properties ? 'maps, keys below' : allowed(values);
}

function allowed(node: SchemaNode): string {
  if (node.anyOf) return node.anyOf.map(allowed).join(', or ');
  if (node.enum) return `one of ${node.enum.map((v) => `\`${v}\``).join(', ')}`;
  if (node['x-allowed']) return node['x-allowed'];
  switch (node.type) {
    case 'number':
      return `a number${node.minimum !== undefined ? ` from ${node.minimum}` : ''}${node.maximum !== undefined ? ` to ${node.maximum}` : ''}`;
    case 'boolean':
      return '`true` or `false`';
    case 'integer':
      return `a whole number${node.minimum !== undefined ? ` from ${node.minimum}` : ''}${node.maximum !== undefined ? ` to ${node.maximum}` : ''}`;
    case 'array': {
      const size = node.maxItems !== undefined ? `${node.minItems ?? 0} to ${node.maxItems}` : `at least ${node.minItems ?? 0}`;
      return node.items?.type === 'object' ? `a list (${size}) of maps, keys below` : `a list (${size}) of ${allowed(node.items ?? {})}`;
    }
    case 'object':
      if (node.properties) return 'a map, keys below';
      return `a map of ${allowed(node.propertyNames ?? {})} to ${mapValues(node.additionalProperties)}`;
    default:
      return node.type ?? 'any';
  }
}

interface Row {
  key: string;
  node: SchemaNode;
  required: boolean;
}

function rows(node: SchemaNode, prefix: string, out: Row[]): Row[] {
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const key = `${prefix}${name}`;
    out.push({ key, node: child, required: node.required?.includes(name) ?? false });
    const list = child.anyOf?.find((n) => n.type === 'array') ?? (child.type === 'array' ? child : undefined);
    if (list?.items?.properties) rows(list.items, `${key}[].`, out);
    if (child.properties) rows(child, `${key}.`, out);
    const map = child.anyOf?.find((n) => n.type === 'object' && n.properties);
    if (map) rows(map, `${key}.`, out);
    const values = typeof child.additionalProperties === 'object' ? child.additionalProperties : undefined;
    if (values?.properties) rows(values, `${key}.<name>.`, out);
  }
  return out;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\n', ' ');

export function renderSchemaReference(schema: SchemaNode): string {
  const lines = ['| key | allowed | default / meaning |', '|---|---|---|'];
  for (const r of rows(schema, '', [])) {
    const meaning = [r.required ? '**required**' : '', r.node.default !== undefined ? `default \`${String(r.node.default)}\`` : '', r.node.description ?? '']
      .filter(Boolean)
      .join('; ');
    lines.push(`| \`${r.key}\` | ${cell(allowed(r.node))} | ${cell(meaning)} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The README with its reference section replaced; throws when the markers are missing. */
export function withReference(readme: string, reference: string): string {
  const begin = readme.indexOf(REFERENCE_BEGIN);
  const end = readme.indexOf(REFERENCE_END);
  if (begin === -1 || end < begin) throw new Error(`README.md lacks the topology reference markers:\n${REFERENCE_BEGIN}\n${REFERENCE_END}`);
  return `${readme.slice(0, begin + REFERENCE_BEGIN.length)}\n${reference}${readme.slice(end)}`;
}
