import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, ContainerType, NonEmptyArray } from 'type-graphql';
import { CustomerResolver } from '../customers';
import { AuthRequestResolver } from '../identity-flow';
import { ConsentResolver } from '../consent';
import { OAuthClientResolver } from '../oauth';
import { ProfileResolver } from '../profiles';
import { MeResolver, OperatorTokenResolver } from '../operators';
import { AuditFieldChangeResolver, AuditResolver } from '../audit';
import { WebhookResolver } from '../webhooks';
import { PurgeRunResolver } from '../retention';
import { ErasureResolver } from '../erasure';
import { ProfileExportResolver } from '../exports';
import { authChecker, guardScopedFields } from './auth-checker';

/** Every resolver class of the API; each feature adds its own here. */
export const resolverClasses: NonEmptyArray<new (...args: never[]) => object> = [
  CustomerResolver,
  AuthRequestResolver,
  ConsentResolver,
  OAuthClientResolver,
  ProfileResolver,
  OperatorTokenResolver,
  MeResolver,
  AuditResolver,
  AuditFieldChangeResolver,
  WebhookResolver,
  PurgeRunResolver,
  ErasureResolver,
  ProfileExportResolver,
];

/**
 * Builds the executable schema. Resolver instances come from `instances` (built once in app.ts);
 * type-graphql asks the container for them instead of constructing its own. Fields marked
 * `RequiresScopes` get their scope check here (auth-checker.ts).
 */
export async function buildGraphqlSchema(instances: object[]): Promise<GraphQLSchema> {
  const byClass = new Map<unknown, object>(instances.map((instance) => [instance.constructor, instance]));
  const container: ContainerType = {
    get(someClass: unknown) {
      const instance = byClass.get(someClass);
      if (!instance) throw new Error(`no instance registered for resolver ${String((someClass as { name?: string }).name)}`);
      return instance;
    },
  };
  return guardScopedFields(await buildSchema({ resolvers: resolverClasses, container, authChecker, validate: false, emitSchemaFile: false }));
}

/** The schema as committed in schema.graphql: sorted, so the file changes only when the API does. */
export function printCommittedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
