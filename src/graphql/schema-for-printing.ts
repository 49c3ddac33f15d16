import { buildSchema } from 'type-graphql';
import { printCommittedSchema, resolverClasses } from './build-schema';
import { authChecker } from './auth-checker';

/** The SDL of the API, built without services (printing never runs a resolver). */
export async function schemaForPrinting(): Promise<string> {
  const schema = await buildSchema({ resolvers: resolverClasses, authChecker, validate: false, container: { get: () => ({}) } });
  return printCommittedSchema(schema);
}
