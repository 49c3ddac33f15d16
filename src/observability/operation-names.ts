import * as dashboardDocuments from '../../clients/dashboard/src/generated/graphql';
import * as sdkDocuments from '../../clients/typescript/src/generated/graphql';

/**
 * The operation names of our own clients' documents (the SDK's and the dashboard's), read from the
 * generated documents, which codegen writes from each client's operation files and keeps in step with
 * them: the only names that become a metric label or a span name. Anyone may name an operation anything.
 */
export function knownOperationNames(modules: ReadonlyArray<Record<string, unknown>> = [sdkDocuments, dashboardDocuments]): ReadonlySet<string> {
  const names = new Set<string>();
  for (const module of modules) {
    for (const value of Object.values(module)) {
      const definitions = (value as { kind?: unknown; definitions?: unknown } | null)?.kind === 'Document' ? (value as { definitions: unknown[] }).definitions : [];
      for (const definition of definitions as Array<{ kind?: string; name?: { value?: string } }>) {
        if (definition.kind === 'OperationDefinition' && definition.name?.value) names.add(definition.name.value);
      }
    }
  }
  return names;
}
