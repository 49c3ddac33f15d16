import { AuditService, SYSTEM_ACTOR } from '../../audit';
import { Database, platformScope, scopedCustomerId } from '../../db/scope';
import { Lockout } from './abuse-guard';

/**
 * Records a lockout on the chain of the customer whose endpoint was attacked, or on the platform
 * chain when the request named none (the OAuth endpoints are shared by every customer). An IP
 * address is personal data and the chain cannot be erased, so the event names the address by a
 * keyed hash (an investigator hashes a suspect address the same way to match it), never in clear.
 */
export function auditLockout(db: Database, audit: AuditService): (lockout: Lockout) => Promise<void> {
  return async ({ endpoint, slug, address, failures, lockoutSeconds }) => {
    const write = async () => {
      const customerId = await scopedCustomerId(db.orm.em);
      await audit.record({
        customerId,
        action: 'abuse.locked_out',
        target: { type: 'source_address', id: audit.subjectHash(customerId ?? 'platform', `address:${address}`) },
        details: { endpoint, failures, lockoutSeconds },
        actor: SYSTEM_ACTOR,
      });
    };
    await (slug ? db.forSlug(slug, write) : db.run(platformScope('audit an OAuth lockout', { routine: true }), write));
  };
}
