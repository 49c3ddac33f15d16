import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Connection } from '../graphql/connection';
import { PurgeRun } from './purge-run.entity';

@ObjectType('PurgeRunCount', { description: 'How many rows of one kind a purge run removed.' })
export class PurgeRunCountType {
  @Field(() => String, { description: 'The kind of row, named after its table (such as `auth_request`).' })
  kind!: string;

  @Field(() => Int, { description: 'Rows removed.' })
  count!: number;
}

@ObjectType('PurgeRunFailure', { description: 'A kind whose purge failed in a run; the other kinds still ran.' })
export class PurgeRunFailureType {
  @Field(() => String, { description: 'The kind of row, named after its table.' })
  kind!: string;

  @Field(() => String, { description: 'The error it failed with.' })
  message!: string;
}

@ObjectType('PurgeRun', { description: 'One run of the retention purge job and what it removed.' })
export class PurgeRunType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'The job that ran, such as `purge-expired`.' })
  job!: string;

  @Field(() => Date, { description: 'When the run started.' })
  startedAt!: Date;

  @Field(() => Date, { description: 'When it finished.' })
  finishedAt!: Date;

  @Field(() => [PurgeRunCountType], { description: 'Rows removed per kind, every kind listed (zeros too), by kind.' })
  removed!: PurgeRunCountType[];

  @Field(() => [PurgeRunFailureType], { description: 'The kinds that failed in this run; empty when all succeeded.' })
  failures!: PurgeRunFailureType[];

  static from(run: PurgeRun): PurgeRunType {
    return Object.assign(new PurgeRunType(), {
      id: run.id,
      job: run.job,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      // jsonb keeps no key order: list by kind, so the answer is stable.
      removed: Object.entries(run.removed)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([kind, count]) => Object.assign(new PurgeRunCountType(), { kind, count })),
      failures: Object.entries(run.failures)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([kind, message]) => Object.assign(new PurgeRunFailureType(), { kind, message })),
    });
  }
}

@ObjectType('PurgeRunConnection', { description: 'A page of purge runs, newest first.' })
export class PurgeRunConnection extends Connection(PurgeRunType) {}
