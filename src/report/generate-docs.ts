/**
 * Writes what is generated from the JSON Schema: topologies/lvslab.schema.json (for editors) and the
 * README's topology reference. `npm run docs`; unit tests fail when either is out of date.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../model/package-root.js';
import { topologySchema } from '../validate/schema.js';
import { renderSchemaReference, withReference } from './schema-reference.js';

export const SCHEMA_FILE = join(PACKAGE_ROOT, 'topologies', 'lvslab.schema.json');
export const README_FILE = join(PACKAGE_ROOT, 'README.md');

export const schemaJson = (): string => `${JSON.stringify(topologySchema, null, 2)}\n`;

async function main(): Promise<void> {
  await writeFile(SCHEMA_FILE, schemaJson());
  await writeFile(README_FILE, withReference(await readFile(README_FILE, 'utf8'), renderSchemaReference(topologySchema)));
  console.log(`wrote ${SCHEMA_FILE} and the topology reference in ${README_FILE}`);
}

if (process.argv[1]?.endsWith('generate-docs.js')) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
