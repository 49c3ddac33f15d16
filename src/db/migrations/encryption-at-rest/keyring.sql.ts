import { AddSql } from '../login-steps/add-sql';
import { APP_ROLE, PLATFORM_ROLE } from '../../tenant-tables';

/**
 * The keyring: wrapped data keys, in a schema of their own so that a data backup can leave it out
 * (`pg_dump --exclude-schema=keyring`) and an erased person's key, once deleted here, is in no backup
 * of the data. The service's roles get no privilege on its tables: they call the functions below,
 * which answer one key at a time, by customer and exact id or hash. It holds no foreign key into the
 * data: it is restored on its own (the current keyring over an older data backup), like a KMS would be,
 * and erasure deletes its keys explicitly (ids_shred_person, ids_shred_customer).
 */
export const keyring = {
  up(addSql: AddSql): void {
    addSql(`create schema keyring;`);
    addSql(`revoke all on schema keyring from public;`);
    addSql(`grant usage on schema keyring to ${APP_ROLE}, ${PLATFORM_ROLE};`);
    addSql(`
      create table keyring.customer_key (
        customer_id uuid primary key,
        kek_version text not null,
        wrapped bytea not null,
        created_at timestamptz not null default now(),
        rewrapped_at timestamptz null
      );`);
    addSql(`create index customer_key_version_index on keyring.customer_key (kek_version);`);
    addSql(`
      create table keyring.person_key (
        id uuid primary key,
        customer_id uuid not null,
        username_hash text not null,
        subject_hash text not null,
        profile_id uuid not null unique,
        wrapped bytea not null,
        created_at timestamptz not null default now(),
        unique (customer_id, username_hash)
      );`);
    addSql(`create index person_key_subject_index on keyring.person_key (customer_id, subject_hash);`);

    // A key deleted (erasure) reaches every instance's key cache at once (db/change-feed.ts), not after KEY_CACHE_SECONDS.
    addSql(`
      create function keyring.ids_notify_key_deleted() returns trigger language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        if tg_op = 'TRUNCATE' then
          perform pg_notify('ids_changes', 'keys:*');
        elsif tg_table_name = 'person_key' then
          perform pg_notify('ids_changes', 'person_key:' || old.id::text);
        else
          perform pg_notify('ids_changes', 'customer_key:' || old.customer_id::text);
        end if;
        return null;
      end $$;`);
    for (const table of ['person_key', 'customer_key']) {
      addSql(`create trigger ${table}_deleted after delete on keyring.${table} for each row execute function keyring.ids_notify_key_deleted();`);
      addSql(`create trigger ${table}_truncated after truncate on keyring.${table} for each statement execute function keyring.ids_notify_key_deleted();`);
    }

    const definer = `language plpgsql security definer set search_path = pg_catalog, pg_temp`;
    addSql(`
      create function keyring.ids_customer_key(p_customer uuid) returns table (kek_version text, wrapped bytea) ${definer} as $$
      begin
        return query select k.kek_version, k.wrapped from keyring.customer_key k where k.customer_id = p_customer;
      end $$;`);
    addSql(`
      create function keyring.ids_customer_key_create(p_customer uuid, p_version text, p_wrapped bytea) returns table (kek_version text, wrapped bytea) ${definer} as $$
      begin
        if not exists (select 1 from public.customer c where c.id = p_customer) then return; end if;
        insert into keyring.customer_key (customer_id, kek_version, wrapped) values (p_customer, p_version, p_wrapped) on conflict (customer_id) do nothing;
        return query select k.kek_version, k.wrapped from keyring.customer_key k where k.customer_id = p_customer;
      end $$;`);
    // The person's key, stored with the profile id their values are bound to: a profile written before
    // encryption keeps its id (found by the clear username, which is not stored here).
    addSql(`
      create function keyring.ids_person_key(p_customer uuid, p_username_hash text, p_subject_hash text, p_id uuid, p_profile_id uuid, p_wrapped bytea,
                                             p_legacy_username text)
      returns table (id uuid, profile_id uuid, wrapped bytea) ${definer} as $$
      begin
        if not exists (select 1 from keyring.person_key k where k.customer_id = p_customer and k.username_hash = p_username_hash) then
          if not exists (select 1 from keyring.customer_key k where k.customer_id = p_customer) then return; end if;
          insert into keyring.person_key (id, customer_id, username_hash, subject_hash, profile_id, wrapped)
          values (p_id, p_customer, p_username_hash, p_subject_hash,
                  coalesce((select p.id from public.profile p where p.customer_id = p_customer and p.person_key_id is null and p.username = p_legacy_username), p_profile_id),
                  p_wrapped)
          on conflict do nothing;
        end if;
        return query select k.id, k.profile_id, k.wrapped from keyring.person_key k where k.customer_id = p_customer and k.username_hash = p_username_hash;
      end $$;`);
    // Inside a login step's transaction: the key is still there, and stays until the commit (an erasure deleting it waits).
    addSql(`
      create function keyring.ids_person_key_held(p_customer uuid, p_id uuid) returns boolean ${definer} as $$
      begin
        perform 1 from keyring.person_key k where k.id = p_id and k.customer_id = p_customer for key share;
        return found;
      end $$;`);
    addSql(`
      create function keyring.ids_person_keys(p_customer uuid, p_ids uuid[]) returns table (id uuid, profile_id uuid, wrapped bytea) ${definer} as $$
      begin
        return query select k.id, k.profile_id, k.wrapped from keyring.person_key k where k.customer_id = p_customer and k.id = any(p_ids);
      end $$;`);
    addSql(`
      create function keyring.ids_person_key_by_subject(p_customer uuid, p_subject_hash text) returns table (id uuid, profile_id uuid, wrapped bytea) ${definer} as $$
      begin
        return query select k.id, k.profile_id, k.wrapped from keyring.person_key k where k.customer_id = p_customer and k.subject_hash = p_subject_hash limit 1;
      end $$;`);
    // The audit worker's way to the people of a batch: their keys by subject hash, in one statement.
    addSql(`
      create function keyring.ids_person_keys_by_subject(p_customer uuid, p_subjects text[]) returns table (id uuid, profile_id uuid, wrapped bytea, subject_hash text) ${definer} as $$
      begin
        return query select k.id, k.profile_id, k.wrapped, k.subject_hash from keyring.person_key k where k.customer_id = p_customer and k.subject_hash = any(p_subjects);
      end $$;`);
    // Deleting keys cannot be undone: the service's role may do it only for the customer its transaction
    // is scoped to (the platform path, its own role, for any).
    const shredGuard = `if session_user = '${APP_ROLE}' and nullif(current_setting('app.customer_id', true), '') is distinct from p_customer::text then
          raise exception 'keys of customer % may not be deleted outside its scope', p_customer using errcode = '42501';
        end if;`;
    addSql(`
      create function keyring.ids_shred_person(p_customer uuid, p_profile_id uuid) returns integer ${definer} as $$
      declare n integer;
      begin
        ${shredGuard}
        delete from keyring.person_key k where k.customer_id = p_customer and k.profile_id = p_profile_id;
        get diagnostics n = row_count;
        return n;
      end $$;`);
    addSql(`
      create function keyring.ids_shred_customer(p_customer uuid) returns integer ${definer} as $$
      declare n integer;
      begin
        ${shredGuard}
        delete from keyring.person_key k where k.customer_id = p_customer;
        get diagnostics n = row_count;
        delete from keyring.customer_key k where k.customer_id = p_customer;
        return n + (case when found then 1 else 0 end);
      end $$;`);
    // Rotation (platform path only): how many customer keys each KEK version wraps, a batch still on
    // older versions after a cursor (so a key that cannot be re-wrapped, its version no longer
    // configured, does not come first in every batch), and a compare-and-set re-wrap (a key
    // re-wrapped meanwhile is left alone).
    addSql(`
      create function keyring.ids_key_versions() returns table (kek_version text, customer_keys bigint) ${definer} as $$
      begin
        return query select k.kek_version, count(*) from keyring.customer_key k group by k.kek_version order by k.kek_version;
      end $$;`);
    addSql(`
      create function keyring.ids_customer_keys_to_rewrap(p_current text, p_after uuid, p_limit integer)
      returns table (customer_id uuid, kek_version text, wrapped bytea) ${definer} as $$
      begin
        return query select k.customer_id, k.kek_version, k.wrapped from keyring.customer_key k
          where k.kek_version <> p_current and (p_after is null or k.customer_id > p_after)
          order by k.customer_id limit p_limit;
      end $$;`);
    addSql(`
      create function keyring.ids_rewrap_customer_key(p_customer uuid, p_old_version text, p_old_wrapped bytea, p_version text, p_wrapped bytea)
      returns boolean ${definer} as $$
      begin
        update keyring.customer_key k set kek_version = p_version, wrapped = p_wrapped, rewrapped_at = now()
         where k.customer_id = p_customer and k.kek_version = p_old_version and k.wrapped = p_old_wrapped;
        return found;
      end $$;`);
    addSql(`revoke all on all functions in schema keyring from public;`);
    for (const fn of [
      'ids_customer_key(uuid)',
      'ids_customer_key_create(uuid, text, bytea)',
      'ids_person_key(uuid, text, text, uuid, uuid, bytea, text)',
      'ids_person_key_held(uuid, uuid)',
      'ids_person_keys(uuid, uuid[])',
      'ids_person_key_by_subject(uuid, text)',
      'ids_person_keys_by_subject(uuid, text[])',
      'ids_shred_person(uuid, uuid)',
      'ids_shred_customer(uuid)',
    ]) {
      addSql(`grant execute on function keyring.${fn} to ${APP_ROLE}, ${PLATFORM_ROLE};`);
    }
    for (const fn of ['ids_key_versions()', 'ids_customer_keys_to_rewrap(text, uuid, integer)', 'ids_rewrap_customer_key(uuid, text, bytea, text, bytea)']) {
      addSql(`grant execute on function keyring.${fn} to ${PLATFORM_ROLE};`);
    }
  },
};
