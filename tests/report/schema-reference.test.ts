import test from 'ava';
import { readFileSync } from 'node:fs';
import { README_FILE, SCHEMA_FILE, schemaJson } from '../../src/report/generate-docs.js';
import { REFERENCE_BEGIN, REFERENCE_END, renderSchemaReference, withReference } from '../../src/report/schema-reference.js';
import { topologySchema, type SchemaNode } from '../../src/validate/schema.js';

test("the README's topology reference is the one generated from the schema (else: npm run docs)", (t) => {
  const readme = readFileSync(README_FILE, 'utf8');
  t.is(readme, withReference(readme, renderSchemaReference(topologySchema)), 'README.md topology reference is out of date: run npm run docs');
  t.is(readFileSync(SCHEMA_FILE, 'utf8'), schemaJson(), 'topologies/lvslab.schema.json is out of date: run npm run docs');
});

test('the reference lists every key of the schema, nested ones with their path', (t) => {
  const reference = renderSchemaReference(topologySchema);
  for (const key of [
    'name',
    'mode',
    'networks.<name>.subnet',
    'clients[].address',
    'gateway.addresses',
    'director.network',
    'realServers[].weight',
    'services[].realPort',
    'services[].weights',
  ]) {
    t.true(reference.includes(`| \`${key}\` |`), key);
  }
  t.regex(reference, /\| `mode` \| one of `nat`, `dr`, `tun`, `fullnat` \| \*\*required\*\*; /);
  t.regex(reference, /\| `realServers\[\]\.weight` \| a whole number from 0 to 65535 \| default `1`; /);
});

test('a key added to the schema shows up, so a stale README fails the drift test', (t) => {
  const schema: SchemaNode = {
    ...topologySchema,
    properties: { ...topologySchema.properties, extra: { type: 'integer', minimum: 1, description: 'A new key <here>.' } },
  };
  const reference = renderSchemaReference(schema);
  t.regex(reference, /\| `extra` \| a whole number from 1 \| A new key &lt;here&gt;\. \|/);
  const readme = `intro\n${REFERENCE_BEGIN}\n${renderSchemaReference(topologySchema)}${REFERENCE_END}\nmore\n`;
  t.not(withReference(readme, reference), readme);
  t.throws(() => withReference('no markers', reference), { message: /lacks the topology reference markers/ });
});
