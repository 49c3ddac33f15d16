import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaForPrinting } from './schema-for-printing';

/** `npm run schema`: writes schema.graphql at the repository root from the resolvers. */
async function main(): Promise<void> {
  const target = join(__dirname, '..', '..', '..', 'schema.graphql');
  writeFileSync(target, await schemaForPrinting());
  process.stdout.write(`wrote ${target}\n`);
}

void main();
