import { EntityManager } from '@mikro-orm/postgresql';
import { Customer, CustomerNotFoundError } from '../customers';
import { Clock } from '../shared/clock';
import { RandomSource } from '../shared/random';
import { ValidationError } from '../shared/errors';
import { hasControlCharacters } from '../shared/url';
import { afterCursor, checkPageSize, Page, toPage } from '../shared/pagination';
import { OAuthClient } from './oauth-client.entity';
import { OAuthAccessToken } from './access-token.entity';
import { generateClientId, generateClientSecret, hashClientSecret } from './client-credentials';
import { OAuthClientNotFoundError, UnknownScopeError } from './oauth.errors';
import { canonicalScopes, isKnownScope } from './scopes';
import { isUuid } from '../shared/ids';
import { AuditService } from '../audit';

export interface CreateOAuthClientCommand {
  customerId: string;
  name: string;
  scopes: string[];
}

export interface OAuthClientWithSecret {
  client: OAuthClient;
  /** The client_secret in clear; returned only here, never stored. */
  clientSecret: string;
}

export interface OAuthClientServiceDeps {
  em: EntityManager;
  clock: Clock;
  random: RandomSource;
  audit: AuditService;
}

/**
 * Service client registration by operators: create, rotate the secret, disable, list. Only kind
 * SERVICE: an OpenID Connect client's id is not found here (oidc-provider/clients manages those).
 */
export class OAuthClientService {
  constructor(private readonly deps: OAuthClientServiceDeps) {}

  /** Validates everything, checks the customer exists, then writes the client; nothing is written on error. */
  async createClient(command: CreateOAuthClientCommand): Promise<OAuthClientWithSecret> {
    const name = validateClientName(command.name);
    const scopes = validateClientScopes(command.scopes);
    const now = this.deps.clock.now();
    return this.deps.em.transactional(async (em) => {
      const customer = await this.findCustomer(em, command.customerId);
      const clientSecret = generateClientSecret(this.deps.random);
      const client = em.create(OAuthClient, {
        clientId: generateClientId(this.deps.random),
        customer,
        name,
        scopes,
        secretHash: hashClientSecret(clientSecret),
        createdAt: now,
        updatedAt: now,
        disabledAt: null,
      });
      await this.audit(client, 'oauth_client.created', { name, scopes });
      return { client, clientSecret };
    });
  }

  /** Replaces the secret at once; the old one stops working. Tokens already issued stay valid until they expire. */
  async rotateSecret(id: string): Promise<OAuthClientWithSecret> {
    return this.deps.em.transactional(async (em) => {
      const client = await this.findClient(em, id);
      const clientSecret = generateClientSecret(this.deps.random);
      client.secretHash = hashClientSecret(clientSecret);
      client.updatedAt = this.deps.clock.now();
      await this.audit(client, 'oauth_client.secret_rotated');
      return { client, clientSecret };
    });
  }

  /** Disables the client and revokes its outstanding tokens; disabling twice keeps the first date. */
  async disableClient(id: string): Promise<OAuthClient> {
    const now = this.deps.clock.now();
    return this.deps.em.transactional(async (em) => {
      const client = await this.findClient(em, id);
      if (client.disabledAt === null) {
        client.disabledAt = now;
        client.updatedAt = now;
        const revoked = await em.nativeUpdate(OAuthAccessToken, { client, revokedAt: null }, { revokedAt: now });
        await this.audit(client, 'oauth_client.disabled', { tokensRevoked: revoked });
      }
      return client;
    });
  }

  private audit(client: OAuthClient, action: string, details: Record<string, unknown> = {}): Promise<void> {
    return this.deps.audit.record({ customerId: client.customer.id, action, target: { type: 'oauth_client', id: client.id }, details: { clientId: client.clientId, ...details } });
  }

  /** One customer's clients, oldest first, `first` at a time, after an opaque cursor. */
  async listClients(customerId: string, first: number, after?: string | null): Promise<Page<OAuthClient>> {
    checkPageSize(first);
    const customer = await this.findCustomer(this.deps.em, customerId);
    const rows = await this.deps.em.find(
      OAuthClient,
      { customer, kind: 'SERVICE', ...afterCursor(after, 'createdAt', 'asc') },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1, populate: ['customer'] },
    );
    return toPage(rows, first);
  }

  private async findCustomer(em: EntityManager, id: string): Promise<Customer> {
    const customer = isUuid(id) ? await em.findOne(Customer, { id: id.toLowerCase() }) : null;
    if (!customer) throw new CustomerNotFoundError(id);
    return customer;
  }

  private async findClient(em: EntityManager, id: string): Promise<OAuthClient> {
    const client = isUuid(id) ? await em.findOne(OAuthClient, { id: id.toLowerCase(), kind: 'SERVICE' }, { populate: ['customer'] }) : null;
    if (!client) throw new OAuthClientNotFoundError(id);
    return client;
  }
}

export function validateClientName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200 || hasControlCharacters(trimmed)) {
    throw new ValidationError('name', 'name must be 1-200 characters without control characters');
  }
  return trimmed;
}

/** At least one scope, each from OAUTH_SCOPES; returned in canonical order without repeats. */
export function validateClientScopes(scopes: readonly string[]): string[] {
  if (scopes.length === 0) throw new ValidationError('scopes', 'give at least one scope');
  for (const scope of scopes) if (!isKnownScope(scope)) throw new UnknownScopeError(scope);
  return canonicalScopes(scopes.filter(isKnownScope));
}
