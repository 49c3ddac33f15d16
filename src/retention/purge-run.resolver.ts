import { Arg, Authorized, Int, Query, Resolver } from 'type-graphql';
import { OPERATOR_ONLY } from '../operators';
import { RetentionService } from './retention.service';
import { PurgeRunConnection, PurgeRunType } from './purge-run.type';

/** The record of the retention purges: platform data, for the platform operator only. */
@Resolver(() => PurgeRunType)
export class PurgeRunResolver {
  constructor(private readonly retention: RetentionService) {}

  @Authorized(OPERATOR_ONLY)
  @Query(() => PurgeRunConnection, { description: 'Runs of the retention purge job and what each removed, newest first, cursor-paginated. Platform operator only.' })
  async purgeRuns(
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page\'s `pageInfo.endCursor`.' }) after: string | null,
  ): Promise<PurgeRunConnection> {
    const page = await this.retention.listRuns(first, after);
    return { nodes: page.items.map(PurgeRunType.from), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }
}
