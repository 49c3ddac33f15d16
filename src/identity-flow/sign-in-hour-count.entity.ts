import { Check, Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/**
 * Sign-ins of one customer in one UTC hour, by outcome, folded in by the purge of finished
 * authentication requests (Migration20261207000000SignInHourCount; auth-request.repository.ts):
 * counts only, for the dashboard's 7-day chart. Written and read by SQL alone; the entity keeps
 * the ORM's schema in step with the migration. `hour_start` is a whole UTC hour: the one statement
 * that writes it takes date_trunc of the request's time (a check constraint saying so is misread by
 * the ORM's schema diff as a column check).
 */
@Entity({ tableName: 'sign_in_hour_count' })
@Index({ properties: ['hourStart'], name: 'sign_in_hour_count_hour_start_index' })
@Check({ name: 'sign_in_hour_count_not_negative', expression: `"succeeded" >= 0 and "declined" >= 0 and "cancelled" >= 0 and "failed" >= 0 and "expired" >= 0` })
export class SignInHourCount {
  @ManyToOne(() => Customer, { primary: true, deleteRule: 'cascade', updateRule: 'cascade' })
  customer!: Customer;

  @PrimaryKey({ type: 'datetime', columnType: 'timestamptz' })
  hourStart!: Date;

  @Property({ type: 'int', default: 0 })
  succeeded = 0;

  @Property({ type: 'int', default: 0 })
  declined = 0;

  @Property({ type: 'int', default: 0 })
  cancelled = 0;

  @Property({ type: 'int', default: 0 })
  failed = 0;

  @Property({ type: 'int', default: 0 })
  expired = 0;
}
