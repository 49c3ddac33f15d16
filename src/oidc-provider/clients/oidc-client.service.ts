import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../../audit';
import { Customer, CustomerNotFoundError } from '../../customers';
import { generateClientId, generateClientSecret, hashClientSecret, IdTokenAlg, OAuthClient, TokenEndpointAuthMethod } from '../../oauth';
import { Clock } from '../../shared/clock';
import { ValidationError } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import { afterCursor, checkPageSize, Page, toPage } from '../../shared/pagination';
import { RandomSource } from '../../shared/random';
import { canSee, customerWhere, Tenant } from '../../shared/tenant';
import { OidcClientHasNoSecretError, OidcClientNotFoundError } from './oidc-client.errors';
import {
  ClientJwks,
  validateClientJwks,
  validateClientUri,
  validateClientUris,
  validateOidcClientName,
  validateOidcClientScopes,
} from './oidc-client.validation';

/** What a relying party's registration may set; `jwks` is a JWK Set as JSON. */
export interface OidcClientSettings {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[] | null;
  scopes?: string[] | null;
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod | null;
  idTokenSignedResponseAlg?: IdTokenAlg | null;
  logoUri?: string | null;
  backchannelLogoutUri?: string | null;
  jwks?: string | null;
}

export interface CreateOidcClientCommand extends OidcClientSettings {
  customerId: string;
}

/** A change: omitted (undefined) fields stay; null clears an optional one (and is refused for a required one). */
export type UpdateOidcClientCommand = { [K in keyof OidcClientSettings]?: OidcClientSettings[K] | null };

export interface OidcClientWithSecret {
  client: OAuthClient;
  /** The client_secret in clear, when one was just issued; never stored. Null otherwise. */
  clientSecret: string | null;
}

export interface OidcClientServiceDeps {
  em: EntityManager;
  clock: Clock;
  random: RandomSource;
  audit: AuditService;
}

/** Methods that authenticate with a client secret (RFC 6749 §2.3.1); the others keep none. */
const SECRET_METHODS: readonly TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post'];

export function usesSecret(method: TokenEndpointAuthMethod): boolean {
  return SECRET_METHODS.includes(method);
}

/**
 * OpenID Connect relying parties of a customer (oauth_client rows of kind OIDC): register, change,
 * rotate the secret, delete, list. Every method takes the caller's tenant and sees only its rows;
 * every input is checked before anything is written.
 */
export class OidcClientService {
  constructor(private readonly deps: OidcClientServiceDeps) {}

  /** Registers a relying party; a secret (for the secret methods) is returned here once and kept only hashed. */
  async createClient(command: CreateOidcClientCommand, tenant: Tenant): Promise<OidcClientWithSecret> {
    const method = command.tokenEndpointAuthMethod ?? 'client_secret_basic';
    const checked = await checkSettings(command);
    const jwks = checked.jwks ?? null;
    if (method === 'private_key_jwt' && jwks === null) throw new ValidationError('jwks', 'private_key_jwt needs jwks: the client\'s public signing keys');
    const now = this.deps.clock.now();
    return this.deps.em.transactional(async (em) => {
      const id = isUuid(command.customerId) ? command.customerId.toLowerCase() : null;
      const customer = id !== null && canSee(tenant, id) ? await em.findOne(Customer, { id }) : null;
      if (!customer) throw new CustomerNotFoundError(command.customerId);
      const clientSecret = usesSecret(method) ? generateClientSecret(this.deps.random) : null;
      const client = em.create(OAuthClient, {
        kind: 'OIDC',
        clientId: generateClientId(this.deps.random),
        customer,
        name: checked.name!,
        scopes: checked.scopes ?? validateOidcClientScopes(undefined),
        secretHash: clientSecret === null ? null : hashClientSecret(clientSecret),
        redirectUris: checked.redirectUris!,
        postLogoutRedirectUris: checked.postLogoutRedirectUris ?? [],
        tokenEndpointAuthMethod: method,
        jwks,
        idTokenSignedResponseAlg: command.idTokenSignedResponseAlg ?? 'ES256',
        logoUri: checked.logoUri ?? null,
        backchannelLogoutUri: checked.backchannelLogoutUri ?? null,
        createdAt: now,
        updatedAt: now,
        disabledAt: null,
      });
      await this.audit(client, 'oidc_client.created', describe(client));
      return { client, clientSecret };
    });
  }

  /**
   * Changes what is given. Switching to a secret method from one without a secret issues a secret
   * (returned once); switching to `none` or `private_key_jwt` drops the stored hash at once.
   */
  async updateClient(id: string, command: UpdateOidcClientCommand, tenant: Tenant): Promise<OidcClientWithSecret> {
    const checked = await checkSettings(command);
    return this.deps.em.transactional(async (em) => {
      const client = await this.findClient(em, id, tenant);
      const method = command.tokenEndpointAuthMethod ?? client.tokenEndpointAuthMethod;
      const jwks = checked.jwks !== undefined ? checked.jwks : client.jwks;
      if (method === 'private_key_jwt' && jwks === null) throw new ValidationError('jwks', 'private_key_jwt needs jwks: the client\'s public signing keys');
      const changes: Partial<OAuthClient> = {
        ...checked,
        ...(command.tokenEndpointAuthMethod != null ? { tokenEndpointAuthMethod: command.tokenEndpointAuthMethod } : {}),
        ...(command.idTokenSignedResponseAlg != null ? { idTokenSignedResponseAlg: command.idTokenSignedResponseAlg } : {}),
      };
      let clientSecret: string | null = null;
      if (!usesSecret(method)) client.secretHash = null;
      else if (client.secretHash === null) {
        clientSecret = generateClientSecret(this.deps.random);
        client.secretHash = hashClientSecret(clientSecret);
      }
      em.assign(client, { ...changes, updatedAt: this.deps.clock.now() });
      const changed = Object.keys(changes);
      await this.audit(client, 'oidc_client.updated', { changed, secretIssued: clientSecret !== null, ...describe(client) });
      return { client, clientSecret };
    });
  }

  /** A new secret (shown once); the previous one stops working at once. Refused for clients without a secret. */
  async rotateSecret(id: string, tenant: Tenant): Promise<OidcClientWithSecret> {
    return this.deps.em.transactional(async (em) => {
      const client = await this.findClient(em, id, tenant);
      if (!usesSecret(client.tokenEndpointAuthMethod)) throw new OidcClientHasNoSecretError(client.tokenEndpointAuthMethod);
      const clientSecret = generateClientSecret(this.deps.random);
      client.secretHash = hashClientSecret(clientSecret);
      client.updatedAt = this.deps.clock.now();
      await this.audit(client, 'oidc_client.secret_rotated');
      return { client, clientSecret };
    });
  }

  /** Deletes the client; its codes, access and refresh tokens go with it (foreign keys cascade). */
  async deleteClient(id: string, tenant: Tenant): Promise<string> {
    return this.deps.em.transactional(async (em) => {
      const client = await this.findClient(em, id, tenant);
      await this.audit(client, 'oidc_client.deleted', { name: client.name });
      await em.nativeDelete(OAuthClient, { id: client.id });
      return client.id;
    });
  }

  /** One OIDC client the caller may see, or null. */
  async findVisible(id: string, tenant: Tenant): Promise<OAuthClient | null> {
    return this.findClient(this.deps.em, id, tenant).catch((err: unknown) => {
      if (err instanceof OidcClientNotFoundError) return null;
      throw err;
    });
  }

  /** A customer's OIDC clients, oldest first, `first` at a time; another customer's are an empty page to a customer-bound caller. */
  async listClients(customerId: string, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<OAuthClient>> {
    checkPageSize(first);
    const id = isUuid(customerId) ? customerId.toLowerCase() : null;
    if (id === null || !canSee(tenant, id)) return toPage([], first);
    const rows = await this.deps.em.find(
      OAuthClient,
      { kind: 'OIDC', customer: id, ...afterCursor(after, 'createdAt', 'asc') },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1 },
    );
    return toPage(rows, first);
  }

  private async findClient(em: EntityManager, id: string, tenant: Tenant): Promise<OAuthClient> {
    const client = isUuid(id) ? await em.findOne(OAuthClient, { id: id.toLowerCase(), kind: 'OIDC', ...customerWhere(tenant) }) : null;
    if (!client) throw new OidcClientNotFoundError(id);
    return client;
  }

  private audit(client: OAuthClient, action: string, details: Record<string, unknown> = {}): Promise<void> {
    return this.deps.audit.record({ customerId: client.customer.id, action, target: { type: 'oauth_client', id: client.id }, details: { clientId: client.clientId, ...details } });
  }
}

interface CheckedSettings {
  name?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  scopes?: string[];
  logoUri?: string | null;
  backchannelLogoutUri?: string | null;
  jwks?: ClientJwks | null;
}

/** The given settings, each checked (in the order of the input); what is omitted stays omitted. */
async function checkSettings(settings: UpdateOidcClientCommand): Promise<CheckedSettings> {
  const checked: CheckedSettings = {};
  if (settings.name != null) checked.name = validateOidcClientName(settings.name);
  else if (settings.name === null) throw new ValidationError('name', 'name cannot be cleared');
  if (settings.redirectUris != null) checked.redirectUris = validateClientUris('redirectUris', settings.redirectUris, 1);
  else if (settings.redirectUris === null) throw new ValidationError('redirectUris', 'a client needs at least one redirect URI');
  if (settings.postLogoutRedirectUris !== undefined) checked.postLogoutRedirectUris = validateClientUris('postLogoutRedirectUris', settings.postLogoutRedirectUris ?? [], 0);
  if (settings.scopes != null) checked.scopes = validateOidcClientScopes(settings.scopes);
  if (settings.logoUri !== undefined) checked.logoUri = settings.logoUri === null ? null : validateClientUri('logoUri', settings.logoUri);
  if (settings.backchannelLogoutUri !== undefined) {
    checked.backchannelLogoutUri = settings.backchannelLogoutUri === null ? null : validateClientUri('backchannelLogoutUri', settings.backchannelLogoutUri);
  }
  if (settings.jwks !== undefined) checked.jwks = settings.jwks === null ? null : await validateClientJwks(settings.jwks);
  return checked;
}

/** What the audit trail keeps of a client's registration: configuration only, nothing personal, no secret. */
function describe(client: OAuthClient): Record<string, unknown> {
  return {
    name: client.name,
    redirectUris: client.redirectUris,
    postLogoutRedirectUris: client.postLogoutRedirectUris,
    scopes: client.scopes,
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
    idTokenSignedResponseAlg: client.idTokenSignedResponseAlg,
    jwksKeys: client.jwks?.keys.length ?? 0,
  };
}
