import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { requireScopes } from '../graphql/auth-checker';
import { NotFoundError } from '../shared/errors';
// The scope's own file: the oauth feature's index imports audit, so importing it would close a circle.
import { AUDIT_PERSONAL } from '../oauth/scopes';
import { AuditService } from './audit.service';
import { RegionFanOut } from '../graphql/region-fan-out';
import { AuditChainVerificationType, AuditEventConnection, AuditEventFilterInput, AuditEventType, AuditFieldChangeType } from './audit.type';

@Resolver(() => AuditEventType)
export class AuditResolver {
  constructor(
    private readonly audit: AuditService,
    private readonly regions: RegionFanOut<{ audit: AuditService }>,
  ) {}

  @Authorized('audit:read')
  @Query(() => AuditEventConnection, { description: 'Audit events, newest first, cursor-paginated. Needs `audit:read`; whom an event is about needs `audit.personal`, personal values their `profile.<field>` scope.' })
  async auditEvents(
    @Ctx() { principal }: GraphqlContext,
    @Arg('filter', () => AuditEventFilterInput, { nullable: true }) filter: AuditEventFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page.' }) after: string | null,
  ): Promise<AuditEventConnection> {
    // Filtering by a username would tell whom the trail is about to a caller that may not read it.
    if (filter?.subject) requireScopes(principal, [AUDIT_PERSONAL]);
    const page = await this.audit.list({ ...filter, actorId: filter?.actor }, first, after, tenantOf(principal));
    return { nodes: page.items.map(AuditEventType.from), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized('audit:read')
  @Query(() => AuditChainVerificationType, {
    description: 'Recomputes a customer\'s audit chain (or, without customerId, the platform\'s) and names the first broken link. Needs `audit:read`.',
  })
  async verifyAuditChain(
    @Ctx() { principal }: GraphqlContext,
    @Arg('customerId', () => ID, { nullable: true }) customerId: string | null,
  ): Promise<AuditChainVerificationType> {
    const tenant = tenantOf(principal);
    // Another customer's chain looks like one that does not exist; the platform chain is the platform's.
    if (tenant.kind === 'customer' && customerId !== tenant.customerId) throw new NotFoundError('audit chain', customerId ?? 'platform');
    if (customerId != null) return verificationType(await this.audit.verifyChain(customerId), null);
    // The platform's chain is one per region (each region's platform events stay in it): every one is checked (issue 18).
    const results = await this.regions.each('verify the platform audit chain of every region', ({ audit }) => audit.verifyChain(null));
    const perRegion = results.map(({ region, value }) => verificationType(value, region));
    if (perRegion.length === 1) return perRegion[0]!;
    const broken = perRegion.find((r) => !r.ok);
    return Object.assign(new AuditChainVerificationType(), {
      ok: broken === undefined,
      eventsChecked: perRegion.reduce((sum, r) => sum + r.eventsChecked, 0),
      brokenEventId: broken?.brokenEventId ?? null,
      brokenSeq: broken?.brokenSeq ?? null,
      reason: broken?.reason ?? null,
      region: broken?.region ?? null,
      regions: perRegion,
    });
  }
}

function verificationType(result: Awaited<ReturnType<AuditService['verifyChain']>>, region: string | null): AuditChainVerificationType {
  const one = Object.assign(new AuditChainVerificationType(), {
    ok: result.ok,
    eventsChecked: result.eventsChecked,
    brokenEventId: result.ok ? null : result.broken.eventId,
    brokenSeq: result.ok ? null : result.broken.seq,
    reason: result.ok ? null : result.broken.reason,
    region,
    regions: [] as AuditChainVerificationType[],
  });
  one.regions = [one];
  return one;
}

/** Personal values in the trail are as guarded as in profiles: each needs its field's scope. */
@Resolver(() => AuditFieldChangeType)
export class AuditFieldChangeResolver {
  @FieldResolver(() => String, { nullable: true, description: 'The value before; needs `profile.<field>`.' })
  oldValue(@Root() change: AuditFieldChangeType, @Ctx() { principal }: GraphqlContext): string | null {
    requireScopes(principal, [`profile.${change.field}`]);
    return change.oldValue;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The value after; needs `profile.<field>`.' })
  newValue(@Root() change: AuditFieldChangeType, @Ctx() { principal }: GraphqlContext): string | null {
    requireScopes(principal, [`profile.${change.field}`]);
    return change.newValue;
  }
}
