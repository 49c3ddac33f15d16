import { EntityManager } from '@mikro-orm/postgresql';
import { SREG_FIELDS, SregValues } from '../openid';

/** Profile records kept from the AW's postbacks; later features expose them under scopes. */
export class ProfileService {
  /**
   * Creates the user's profile or updates it with the fields the AW sent this time; fields it did
   * not send keep their values. One statement, so concurrent postbacks for a new user cannot clash.
   */
  async recordFromPostback(em: EntityManager, customerId: string, username: string, supplied: SregValues, now: Date): Promise<void> {
    const fields = SREG_FIELDS.filter((field) => supplied[field] !== undefined);
    const columns = ['id', 'customer_id', 'username', ...fields, 'created_at', 'updated_at', 'last_seen_at'];
    const updates = [...fields.map((f) => `"${f}" = excluded."${f}"`), 'updated_at = excluded.updated_at', 'last_seen_at = excluded.last_seen_at'];
    await em.getConnection().execute(
      `insert into profile (${columns.map((c) => `"${c}"`).join(', ')})
       values (gen_random_uuid(), ?, ?, ${fields.map(() => '?').join(', ')}${fields.length ? ', ' : ''}?, ?, ?)
       on conflict (customer_id, username) do update set ${updates.join(', ')}`,
      [customerId, username, ...fields.map((f) => supplied[f]!), now, now, now],
      'run',
      em.getTransactionContext(),
    );
  }
}
