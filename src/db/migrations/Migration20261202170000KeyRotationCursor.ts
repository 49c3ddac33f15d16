import { Migration } from '@mikro-orm/migrations';
import { PLATFORM_ROLE } from '../tenant-tables';

/**
 * Issue 17, key rotation: the batch of customer keys still to re-wrap, after a cursor. Without one,
 * a key that cannot be re-wrapped (its KEK version is no longer configured) would come first in
 * every batch and a pass could never get past it; with one, a pass reads each key once, in
 * customer id order, and the keys it re-wraps drop out of the next pass by their version.
 */
export class Migration20261202170000KeyRotationCursor extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function keyring.ids_customer_keys_to_rewrap(p_current text, p_after uuid, p_limit integer)
      returns table (customer_id uuid, kek_version text, wrapped bytea)
      language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
      begin
        return query select k.customer_id, k.kek_version, k.wrapped from keyring.customer_key k
          where k.kek_version <> p_current and (p_after is null or k.customer_id > p_after)
          order by k.customer_id limit p_limit;
      end $$;`);
    this.addSql(`revoke all on function keyring.ids_customer_keys_to_rewrap(text, uuid, integer) from public;`);
    this.addSql(`grant execute on function keyring.ids_customer_keys_to_rewrap(text, uuid, integer) to ${PLATFORM_ROLE};`);
  }
}
