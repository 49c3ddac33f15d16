import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { revokeGrantTokens } from './grant.repository';

/**
 * Revokes a whole grant and audits it: a replayed authorization code (RFC 6749 §4.1.2), a reused
 * refresh token (RFC 9700 §4.14.2) or a revoked refresh token (RFC 7009 §2.1). Runs in the
 * caller's unit of work, which commits it even when the request is answered with an error.
 */
export async function revokeGrant(em: EntityManager, audit: AuditService, customerId: string, grantId: string, now: Date, reason: string): Promise<void> {
  const revoked = await revokeGrantTokens(em, customerId, grantId, now);
  if (revoked.accessTokenIds.length === 0 && revoked.refreshTokenIds.length === 0) return;
  await audit.record({
    customerId,
    action: 'token.grant_revoked',
    target: { type: 'oidc_grant', id: grantId },
    details: { reason, accessTokens: revoked.accessTokenIds, refreshTokens: revoked.refreshTokenIds },
  });
}
