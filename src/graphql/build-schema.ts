import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, ContainerType, NonEmptyArray } from 'type-graphql';
import { authChecker, guardScopedFields } from './auth-checker';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditService } from '../audit';
import type { ConsentService } from '../consent';
import type { CustomerService, PrivacyCenterSettingsService } from '../customers';
import type { ErasureService } from '../erasure';
import type { ExportService } from '../exports';
import type { PrivacyRequestService } from '../privacy-requests';
import type { KeyRotationService } from '../keys';
import type { OAuthClientService } from '../oauth';
import type { OperatorTokenService } from '../operators';
import type { OidcClientService } from '../oidc-provider/clients';
import type { ProfileService } from '../profiles';
import type { RetentionService } from '../retention';
import type { WebhookService } from '../webhooks';
import { AuditFieldChangeResolver, AuditResolver } from '../audit/audit.resolver';
import { ConsentResolver } from '../consent/consent.resolver';
import { CustomerResolver } from '../customers/customer.resolver';
import { PrivacyCenterResolver } from '../customers/privacy-center.resolver';
import { ErasureResolver } from '../erasure/erasure.resolver';
import { ProfileExportResolver } from '../exports/profile-export.resolver';
import { PrivacyRequestResolver } from '../privacy-requests/privacy-request.resolver';
import { DataKeyResolver } from '../keys/data-key.resolver';
import { AuthRequestQueries } from '../identity-flow/auth-request.query';
import type { KeyRing } from '../keys';
import { AuthRequestResolver } from '../identity-flow/auth-request.resolver';
import { SignInStatsQueries } from '../identity-flow/sign-in-stats.query';
import { SignInStatsResolver } from '../identity-flow/sign-in-stats.resolver';
import type { Clock } from '../shared/clock';
import { OAuthClientResolver } from '../oauth/oauth-client.resolver';
import { OidcClientResolver } from '../oidc-provider/clients/oidc-client.resolver';
import { MeResolver } from '../operators/me.resolver';
import { OperatorTokenResolver } from '../operators/operator-token.resolver';
import { ProfileResolver } from '../profiles/profile.resolver';
import { PurgeRunResolver } from '../retention/purge-run.resolver';
import { WebhookResolver } from '../webhooks/webhook.resolver';
import { OidcSigningKeyResolver } from '../oidc-provider/signing-key.resolver';
import type { OidcSigningKeys } from '../oidc-provider/signing-keys.service';
import { RegionFanOut } from './region-fan-out';
import { RegionMoveResolver } from '../regions/region-move.resolver';
import type { RegionMoveService } from '../regions';

/**
 * Builds the executable schema. Resolver instances come from `instances` (built once by `createResolvers`);
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

/**
 * Every resolver class of the API. Resolvers are the GraphQL transport of their feature: they are
 * listed here, never exported by the feature's index.ts, so no feature reaches another's transport
 * (docs/architecture.md). A new feature adds its resolvers here and in `createResolvers`.
 */
export const resolverClasses: NonEmptyArray<new (...args: never[]) => object> = [
  CustomerResolver,
  PrivacyCenterResolver,
  AuthRequestResolver,
  SignInStatsResolver,
  ConsentResolver,
  OAuthClientResolver,
  OidcClientResolver,
  ProfileResolver,
  OperatorTokenResolver,
  MeResolver,
  RegionMoveResolver,
  AuditResolver,
  AuditFieldChangeResolver,
  WebhookResolver,
  PurgeRunResolver,
  ErasureResolver,
  ProfileExportResolver,
  PrivacyRequestResolver,
  DataKeyResolver,
  OidcSigningKeyResolver,
];

/** The services the resolvers call; the composition root passes its own. */
export interface ResolverServices {
  keys: KeyRing;
  customers: CustomerService;
  privacyCenterSettings: PrivacyCenterSettingsService;
  consent: ConsentService;
  oauthClients: OAuthClientService;
  oidcClients: OidcClientService;
  profiles: ProfileService;
  operatorTokens: OperatorTokenService;
  audit: AuditService;
  webhooks: WebhookService;
  retention: RetentionService;
  erasure: ErasureService;
  exports: ExportService;
  privacyRequests: PrivacyRequestService;
  keyRotation: KeyRotationService;
  oidcKeys: OidcSigningKeys;
}

/** One instance of each resolver class, built once at startup (type-graphql's container serves them). */
/**
 * The resolvers of one region, on its services. `fanOut` reaches every region's services for the
 * platform-wide views (customers, audit verification); a one-region deployment passes `singleRegion`.
 */
export function createResolvers(services: ResolverServices, em: EntityManager, publicUrl: string, fanOut: RegionFanOut<ResolverServices>, regionMoves: RegionMoveService, clock: Clock): object[] {
  return [
    new RegionMoveResolver(regionMoves),
    new CustomerResolver(services.customers, publicUrl, fanOut),
    new PrivacyCenterResolver(services.privacyCenterSettings, publicUrl),
    new AuthRequestResolver(new AuthRequestQueries(em, services.keys), services.profiles),
    new SignInStatsResolver(new SignInStatsQueries(em, clock)),
    new ConsentResolver(services.consent, services.profiles),
    new OAuthClientResolver(services.oauthClients),
    new OidcClientResolver(services.oidcClients),
    new ProfileResolver(services.profiles, services.consent),
    new OperatorTokenResolver(services.operatorTokens),
    new MeResolver(),
    new AuditResolver(services.audit, fanOut),
    new AuditFieldChangeResolver(),
    new WebhookResolver(services.webhooks),
    new PurgeRunResolver(services.retention),
    new ErasureResolver(services.erasure),
    new ProfileExportResolver(services.exports),
    new PrivacyRequestResolver(services.privacyRequests),
    new DataKeyResolver(services.keyRotation),
    new OidcSigningKeyResolver(services.oidcKeys),
  ];
}
