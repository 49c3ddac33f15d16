import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, Kind, parse, type DocumentNode } from 'graphql';

const root = join(__dirname, '..', '..', '..');
const schema = buildSchema(readFileSync(join(root, 'schema.graphql'), 'utf8'));

function documentsIn(folder: string): DocumentNode[] {
  return readdirSync(join(root, folder))
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => parse(readFileSync(join(root, folder, f), 'utf8')));
}

/** `query.profiles`, `mutation.updateProfile`, …: the root fields the documents select. */
function rootFieldsOf(documents: DocumentNode[]): Set<string> {
  const fields = new Set<string>();
  for (const doc of documents) {
    for (const def of doc.definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION) continue;
      for (const sel of def.selectionSet.selections) if (sel.kind === Kind.FIELD) fields.add(`${def.operation}.${sel.name.value}`);
    }
  }
  return fields;
}

function schemaRootFields(): string[] {
  const fields: string[] = [];
  for (const [operation, type] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    for (const name of Object.keys(type?.getFields() ?? {})) fields.push(`${operation}.${name}`);
  }
  return fields.sort();
}

describe('the integrator SDK operation documents', () => {
  it('cover every query and mutation of schema.graphql', () => {
    const covered = rootFieldsOf(documentsIn('clients/typescript/src/operations'));
    expect(schemaRootFields().filter((f) => !covered.has(f))).toEqual([]);
  });

  it('notice a root field no document selects (the check itself can fail)', () => {
    const covered = rootFieldsOf(documentsIn('clients/typescript/src/operations'));
    covered.delete('mutation.updateProfile');
    expect(schemaRootFields().filter((f) => !covered.has(f))).toEqual(['mutation.updateProfile']);
  });
});

describe('the dashboard documents', () => {
  it('cover request inspection, consent decisions, profiles, audit events, deletion requests and webhook deliveries', () => {
    const covered = rootFieldsOf(documentsIn('clients/dashboard/operations'));
    for (const field of ['query.authRequests', 'query.authRequest', 'query.consentDecisions', 'mutation.revokeConsentDecision', 'query.profiles', 'query.profile', 'query.auditEvents', 'query.deletionRequest', 'mutation.requestProfileDeletion', 'query.webhookDeliveries', 'mutation.redeliverWebhook']) {
      expect({ field, covered: covered.has(field) }).toEqual({ field, covered: true });
    }
  });
});
