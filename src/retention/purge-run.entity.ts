import { randomUUID } from 'node:crypto';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * What one run of a purge job removed, per kind of row. Platform data: it belongs to no customer
 * and only the platform path sees it (PLATFORM_TABLES, `platform_only` policy).
 */
@Entity({ tableName: 'purge_run' })
@Index({ properties: ['startedAt', 'id'], name: 'purge_run_started_index' })
export class PurgeRun {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64 })
  job!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  startedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  finishedAt!: Date;

  /** Rows removed, by kind (a table name), including the zeros. */
  @Property({ type: 'json' })
  removed!: Record<string, number>;

  /** The kinds whose purge failed in this run, with the error message; the others still ran. */
  @Property({ type: 'json' })
  failures: Record<string, string> = {};
}
