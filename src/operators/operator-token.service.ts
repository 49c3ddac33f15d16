import { createHmac } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Customer, CustomerNotFoundError } from '../customers';
import { Clock } from '../shared/clock';
import { RandomSource, randomToken } from '../shared/random';
import { SecretKeyRing, SecretKeyVersion } from '../shared/secret-key-ring';
import { ValidationError } from '../shared/errors';
import { hasControlCharacters } from '../shared/url';
import { afterCursor, checkPageSize, Page, toPage } from '../shared/pagination';
import { canSee, Tenant } from '../shared/tenant';
import { OperatorToken } from './operator-token.entity';
import { enterOperatorToken, enterOperatorTokenById } from './operator-token.repository';
import { OperatorTokenNotFoundError, OperatorTokenOutOfTenantError } from './operators.errors';
import { isOperatorRole, OperatorRole, scopesOfRole } from './roles';
import { isUuid } from '../shared/ids';
import { AuditService } from '../audit';

/** Prefix of every operator token, so leaked ones are recognisable (secret scanners). Never changes. */
export const OPERATOR_TOKEN_PREFIX = 'ops_';

/** last_used_at is written at most this often per token, so busy dashboards do not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

const MAX_EXPIRES_IN_DAYS = 3650;
const DAY_MS = 86_400_000;

export interface CreateOperatorTokenCommand {
  name: string;
  role: OperatorRole;
  /** null: platform-wide. */
  customerId: string | null;
  expiresInDays: number | null;
  /** `bootstrap-admin` or the creating owner's token id. */
  createdBy: string;
}

export interface OperatorTokenWithSecret {
  record: OperatorToken;
  /** The token in clear; returned only here, never stored. */
  token: string;
}

/** What an active operator token grants; the GraphQL context turns it into a principal. */
export interface OperatorTokenGrant {
  id: string;
  name: string;
  role: OperatorRole;
  customerId: string | null;
  scopes: string[];
}

export interface OperatorTokenServiceDeps {
  em: EntityManager;
  clock: Clock;
  random: RandomSource;
  /** Tokens are stored hashed under the newest version and found under any. */
  secretKeys: SecretKeyRing;
  audit: AuditService;
}

/** Operator personal access tokens: issue, revoke, list, and verify on each API call. */
export class OperatorTokenService {
  constructor(private readonly deps: OperatorTokenServiceDeps) {}

  /**
   * Issues a token for `command.role`. `tenant` is the creating owner's view: a customer-bound owner
   * may only create tokens bound to that same customer.
   */
  async createToken(command: CreateOperatorTokenCommand, tenant: Tenant): Promise<OperatorTokenWithSecret> {
    const name = validateName(command.name);
    if (!isOperatorRole(command.role)) throw new ValidationError('role', 'unknown role');
    const expiresInDays = command.expiresInDays;
    if (expiresInDays !== null && (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > MAX_EXPIRES_IN_DAYS)) {
      throw new ValidationError('expiresInDays', `expiresInDays must be between 1 and ${MAX_EXPIRES_IN_DAYS}`);
    }
    if (tenant.kind === 'customer' && command.customerId?.toLowerCase() !== tenant.customerId) throw new OperatorTokenOutOfTenantError();
    const now = this.deps.clock.now();
    return this.deps.em.transactional(async (em) => {
      const customer = command.customerId === null ? null : await findCustomer(em, command.customerId);
      const token = OPERATOR_TOKEN_PREFIX + randomToken(this.deps.random, 32);
      const record = em.create(OperatorToken, {
        name,
        role: command.role,
        customer,
        tokenHash: this.hash(token, this.deps.secretKeys.current),
        createdBy: command.createdBy,
        createdAt: now,
        lastUsedAt: null,
        revokedAt: null,
        expiresAt: expiresInDays === null ? null : new Date(now.getTime() + expiresInDays * DAY_MS),
      });
      await this.audit(record, 'operator_token.created', { name, role: command.role, createdBy: command.createdBy, expiresAt: record.expiresAt?.toISOString() ?? null });
      return { record, token };
    });
  }

  /** Revokes at once; revoking twice keeps the first date. Another customer's token looks missing. */
  async revokeToken(id: string, tenant: Tenant): Promise<OperatorToken> {
    return this.deps.em.transactional(async (em) => {
      const record = isUuid(id) ? await em.findOne(OperatorToken, { id: id.toLowerCase() }) : null;
      if (!record || !canSee(tenant, record.customer?.id ?? '')) throw new OperatorTokenNotFoundError(id);
      if (record.revokedAt !== null) return record;
      record.revokedAt = this.deps.clock.now();
      await this.audit(record, 'operator_token.revoked', { name: record.name, role: record.role });
      return record;
    });
  }

  /** Platform-wide tokens join the platform chain, customer-bound ones their customer's. */
  private audit(record: OperatorToken, action: string, details: Record<string, unknown>): Promise<void> {
    return this.deps.audit.record({ customerId: record.customer?.id ?? null, action, target: { type: 'operator_token', id: record.id }, details });
  }

  /** Tokens visible to `tenant` (a customer sees only its own customer's), oldest first. */
  async listTokens(first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<OperatorToken>> {
    checkPageSize(first);
    const rows = await this.deps.em.find(
      OperatorToken,
      { ...(tenant.kind === 'customer' ? { customer: tenant.customerId } : {}), ...afterCursor(after, 'createdAt', 'asc') },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1 },
    );
    return toPage(rows, first);
  }

  /**
   * The grant of an active token, or null for anything else (not ours, unknown, revoked, expired).
   * Records the use in last_used_at, at most once a minute per token.
   */
  async verifyOperatorToken(token: string): Promise<OperatorTokenGrant | null> {
    if (!token.startsWith(OPERATOR_TOKEN_PREFIX)) return null;
    // One statement: finds the active token, records its use and enters its customer (none when platform-wide).
    const record = await enterOperatorToken(this.deps.em, this.deps.secretKeys.all.map((v) => this.hash(token, v)), this.deps.clock.now(), LAST_USED_RESOLUTION_MS);
    if (!record || !isOperatorRole(record.role)) return null;
    const customerId = record.customerId;
    return { id: record.id, name: record.name, role: record.role, customerId, scopes: scopesOfRole(record.role, customerId) };
  }

  /**
   * The grant of the token with this id while it is still active (not revoked, not expired), else
   * null, entering its customer as `verifyOperatorToken` does: for a dashboard session, which keeps
   * only the token's id and runs each operation as that token (graphql/session-http.ts). Run it in a
   * unit of work that sees nobody's rows. Records the use as `verifyOperatorToken` does.
   */
  async enterActiveGrant(id: string): Promise<OperatorTokenGrant | null> {
    if (!isUuid(id)) return null;
    const record = await enterOperatorTokenById(this.deps.em, id.toLowerCase(), this.deps.clock.now(), LAST_USED_RESOLUTION_MS);
    if (!record || !isOperatorRole(record.role)) return null;
    const customerId = record.customerId;
    return { id: record.id, name: record.name, role: record.role, customerId, scopes: scopesOfRole(record.role, customerId) };
  }

  /**
   * The grant of the token with this id while it is still active (not revoked, not expired), else
   * null; for a session begun with `verifyOperatorToken` (the queue board's), which keeps only the
   * token's id and re-checks it. Runs in the caller's unit of work (a platform one: the id is not a
   * secret, so no credential lookup enters a customer here). Records no use.
   */
  async activeGrant(id: string): Promise<OperatorTokenGrant | null> {
    const record = isUuid(id) ? await this.deps.em.findOne(OperatorToken, { id: id.toLowerCase() }) : null;
    if (!record || record.revokedAt !== null || !isOperatorRole(record.role)) return null;
    if (record.expiresAt !== null && record.expiresAt.getTime() <= this.deps.clock.now().getTime()) return null;
    const customerId = record.customer?.id ?? null;
    return { id: record.id, name: record.name, role: record.role, customerId, scopes: scopesOfRole(record.role, customerId) };
  }

  /** HMAC-SHA256 under a SECRET_KEYS version (hex): a copy of the table alone yields no usable token. */
  private hash(token: string, key: SecretKeyVersion): string {
    return createHmac('sha256', key.secret.reveal()).update(token, 'utf8').digest('hex');
  }
}

async function findCustomer(em: EntityManager, id: string): Promise<Customer> {
  const customer = isUuid(id) ? await em.findOne(Customer, { id: id.toLowerCase() }) : null;
  if (!customer) throw new CustomerNotFoundError(id);
  return customer;
}

function validateName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200 || hasControlCharacters(trimmed)) {
    throw new ValidationError('name', 'name must be 1-200 characters without control characters');
  }
  return trimmed;
}
