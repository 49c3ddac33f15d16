import { Migration } from '@mikro-orm/migrations';
import { PLATFORM_ROLE } from '../tenant-tables';

/** The transaction-local setting naming the customer a region move works on (`set_config(…, customerId, true)`). */
const MOVE_SETTING = 'ids.region_move';

/** Refuses unless this transaction declared that it moves `p_customer` (SQLSTATE 42501, insufficient privilege). */
const moveGuard = `if nullif(current_setting('${MOVE_SETTING}', true), '') is distinct from p_customer::text then
          raise exception 'customer % is not being moved in this transaction (set ${MOVE_SETTING})', p_customer using errcode = '42501';
        end if;`;

const definer = `language plpgsql security definer set search_path = pg_catalog, pg_temp`;

const EXPORT_KEYS = 'keyring.ids_region_move_export(uuid)';
const IMPORT_KEYS = 'keyring.ids_region_move_import(uuid, jsonb)';
const ERASE_AUDIT = 'ids_region_move_erase_audit(uuid)';

/**
 * Issue 18, data residency: a customer moves from one regional database to another (copy, verify,
 * erase the source). The platform path (`ids_platform`) already reads and writes every tenant
 * table; what it cannot do, by design, is handled here, each behind two locks:
 *
 * - EXECUTE is granted to `ids_platform` alone (`ids_app` and PUBLIC get nothing), and
 * - the function refuses unless the transaction declared the move of that very customer with
 *   `set_config('ids.region_move', customerId, true)`: a platform job that forgot it, or a stray
 *   call naming another customer, changes nothing.
 *
 * The keyring (wrapped customer and person keys) is reachable only through SECURITY DEFINER
 * functions: the move exports the customer's rows as JSON and imports them byte for byte. Deleting
 * them needs nothing new: `keyring.ids_shred_customer` already lets the platform path delete a
 * customer's keys.
 *
 * The audit chain stays append-only: `audit_event` grants no UPDATE or DELETE to either role and
 * `audit_payload` no UPDATE (the AuditTrail and PlatformRole migrations), and nothing here changes
 * a grant. The move inserts events with the INSERT the platform path has; it deletes the moved
 * customer's events and payloads only through `ids_region_move_erase_audit`, which runs as the
 * tables' owner. No trigger guards these tables, so none needed changing.
 */
export class Migration20261203120000RegionMove extends Migration {
  override async up(): Promise<void> {
    // Rows as `to_jsonb`, tagged with their table: compared (checksums) and copied as they are. Fixed
    // time zone and bytea form, so the same rows give the same text on every database.
    this.addSql(`
      create function keyring.ids_region_move_export(p_customer uuid) returns table (key_table text, key_row jsonb) ${definer}
        set timezone = 'UTC' set bytea_output = 'hex' as $$
      begin
        ${moveGuard}
        return query
          select 'customer_key'::text, to_jsonb(k) from keyring.customer_key k where k.customer_id = p_customer
          union all
          select 'person_key'::text, to_jsonb(k) from keyring.person_key k where k.customer_id = p_customer;
      end $$;`);
    // The rows `ids_region_move_export` answered, as a JSON array of {key_table, key_row}; every one
    // must be of `p_customer`. Conflicts fail: the move first deletes what the target held of them.
    this.addSql(`
      create function keyring.ids_region_move_import(p_customer uuid, p_rows jsonb) returns integer ${definer} as $$
      declare n integer := 0; m integer;
      begin
        ${moveGuard}
        if exists (select 1 from jsonb_array_elements(p_rows) e where (e -> 'key_row' ->> 'customer_id') is distinct from p_customer::text
                                                                  or (e ->> 'key_table') not in ('customer_key', 'person_key')) then
          raise exception 'keyring rows to import must all be of customer %', p_customer using errcode = '42501';
        end if;
        insert into keyring.customer_key
          select r.* from jsonb_array_elements(p_rows) e, jsonb_populate_record(null::keyring.customer_key, e -> 'key_row') r
           where e ->> 'key_table' = 'customer_key';
        get diagnostics m = row_count;
        n := n + m;
        insert into keyring.person_key
          select r.* from jsonb_array_elements(p_rows) e, jsonb_populate_record(null::keyring.person_key, e -> 'key_row') r
           where e ->> 'key_table' = 'person_key';
        get diagnostics m = row_count;
        return n + m;
      end $$;`);
    this.addSql(`
      create function ids_region_move_erase_audit(p_customer uuid) returns integer ${definer} as $$
      declare n integer; m integer;
      begin
        ${moveGuard}
        delete from public.audit_payload p
         where p.customer_id = p_customer or p.event_id in (select e.id from public.audit_event e where e.customer_id = p_customer);
        get diagnostics n = row_count;
        delete from public.audit_event e where e.customer_id = p_customer;
        get diagnostics m = row_count;
        return n + m;
      end $$;`);
    for (const signature of [EXPORT_KEYS, IMPORT_KEYS, ERASE_AUDIT]) {
      this.addSql(`revoke all on function ${signature} from public;`);
      this.addSql(`grant execute on function ${signature} to ${PLATFORM_ROLE};`);
    }
  }

  override async down(): Promise<void> {
    for (const signature of [ERASE_AUDIT, IMPORT_KEYS, EXPORT_KEYS]) this.addSql(`drop function if exists ${signature};`);
  }
}
