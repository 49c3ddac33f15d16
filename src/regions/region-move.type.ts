import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Region } from '../customers';
import type { RegionMove } from './region-move.repository';

export enum RegionMoveState {
  COPYING = 'COPYING',
  VERIFYING = 'VERIFYING',
  SWITCHING = 'SWITCHING',
  ERASING = 'ERASING',
  DONE = 'DONE',
  FAILED = 'FAILED',
}
registerEnumType(RegionMoveState, {
  name: 'RegionMoveState',
  description: 'A region move\'s step: COPYING (requests for the customer answered 503 meanwhile), VERIFYING (counts, checksums, audit chain), SWITCHING (the directory points to the target), ERASING (the source is emptied), DONE, or FAILED (before the switch; the customer stays in its source).',
});

@ObjectType('RegionMoveTable', { description: 'One table of a move: rows and the checksums compared in the two regions.' })
export class RegionMoveTableType {
  @Field(() => String, { description: 'A tenant table, or keyring.customer_key / keyring.person_key.' })
  table!: string;

  @Field(() => Int, { description: 'Rows of the customer in it.' })
  rows!: number;

  @Field(() => String, { nullable: true, description: 'Null until verified.' })
  sourceChecksum!: string | null;

  @Field(() => String, { nullable: true, description: 'Null until verified.' })
  targetChecksum!: string | null;
}

@ObjectType('RegionMove', { description: 'A move of one customer\'s data from one region to another: tracked, resumable and audited.' })
export class RegionMoveType {
  @Field(() => ID, { description: 'The move\'s id.' })
  id!: string;

  @Field(() => ID, { description: 'The customer moved.' })
  customerId!: string;

  @Field(() => Region, { description: 'Where its data was.' })
  sourceRegion!: Region;

  @Field(() => Region, { description: 'Where its data goes.' })
  targetRegion!: Region;

  @Field(() => RegionMoveState, { description: 'The step it is at.' })
  state!: RegionMoveState;

  @Field(() => Int, { description: 'Copies made (a copy whose checksums differ from the source, after a late write, is made again).' })
  attempts!: number;

  @Field(() => [RegionMoveTableType], { description: 'Rows copied and checksums compared, table by table.' })
  tables!: RegionMoveTableType[];

  @Field(() => String, { nullable: true, description: 'Why the last step failed.' })
  error!: string | null;

  @Field(() => String, { description: 'Who asked for it (an operator token id, or bootstrap-admin).' })
  requestedBy!: string;

  @Field(() => Date, { description: 'When it was asked for.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When its last step was recorded.' })
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it ended (DONE or FAILED).' })
  finishedAt!: Date | null;

  static from(move: RegionMove): RegionMoveType {
    return Object.assign(new RegionMoveType(), {
      ...move,
      sourceRegion: Region[move.sourceRegion],
      targetRegion: Region[move.targetRegion],
      state: RegionMoveState[move.state],
      tables: move.tables.map((t) => Object.assign(new RegionMoveTableType(), t)),
    });
  }
}
