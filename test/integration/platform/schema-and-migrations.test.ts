import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../../../src/db';
import { migrationsList } from '../../../src/db/migrations';
import { schemaForPrinting } from '../../../src/graphql/schema-for-printing';
import { testDatabaseUrl } from '../../support/env';

describe('generated artefacts', () => {
  it('schema.graphql is what the resolvers produce (run `npm run schema` after changing the API)', async () => {
    const committed = readFileSync(join(__dirname, '..', '..', '..', 'schema.graphql'), 'utf8');
    expect(await schemaForPrinting()).toBe(committed);
  });

  it('every public type and field of the schema has a description', async () => {
    const { buildSchema } = await import('graphql');
    const schema = buildSchema(await schemaForPrinting());
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Boolean', 'Int', 'Float', 'ID'].includes(type.name)) continue;
      // Root types are containers; their fields carry the descriptions.
      if (!type.description && !['Query', 'Mutation'].includes(type.name)) missing.push(type.name);
      if ('getFields' in type) {
        for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('lists the migrations in the order of their timestamps, the order they are applied in', () => {
    const names = migrationsList.map((m) => m.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it('the committed migrations build exactly the schema the entities describe', async () => {
    const orm = await MikroORM.init(ormOptions(testDatabaseUrl()));
    try {
      const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
      expect(diff.trim()).toBe('');
    } finally {
      await orm.close();
    }
  });
});
