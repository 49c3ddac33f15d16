import { AddSql } from './add-sql';

/**
 * The OP endpoint's association and nonce stores, one statement each. Moved verbatim from the LoginSteps migration: the SQL it applies is unchanged.
 */
export const opStores = {
  up(addSql: AddSql): void {
    // --- the OP endpoint's association and nonce stores, one statement each -------------------------
    addSql(`
      create function ids_association_find(p_customer uuid, p_handle text, p_is_private boolean)
      returns table (handle text, assoc_type text, secret bytea, is_private boolean, issued_at timestamptz, expires_at timestamptz)
      language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        return query select a.handle::text, a.assoc_type::text, a.secret, a.is_private, a.issued_at, a.expires_at from public.openid_association a
          where a.customer_id = p_customer and a.handle = p_handle and a.is_private = p_is_private;
      end $$;`);
    addSql(`
      create function ids_association_save(p_customer uuid, p_handle text, p_assoc_type text, p_secret bytea, p_is_private boolean,
                                           p_issued_at timestamptz, p_expires_at timestamptz, p_source_hash text)
      returns void language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        insert into public.openid_association (customer_id, handle, assoc_type, secret, is_private, issued_at, expires_at, source_hash)
        values (p_customer, p_handle, p_assoc_type, p_secret, p_is_private, p_issued_at, p_expires_at, p_source_hash);
      end $$;`);
    // associate: the cap of live shared associations per source, checked before the DH exchange
    // and again, exactly, under a lock on (customer, source) when the association is stored.
    addSql(`
      create function ids_association_live_count(p_customer uuid, p_source_hash text, p_now timestamptz)
      returns integer language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        return (select count(*)::int from public.openid_association a
                 where a.customer_id = p_customer and a.source_hash = p_source_hash and a.is_private = false and a.expires_at > p_now);
      end $$;`);
    addSql(`
      create function ids_association_save_shared(p_customer uuid, p_handle text, p_assoc_type text, p_secret bytea,
                                                  p_issued_at timestamptz, p_expires_at timestamptz, p_source_hash text, p_max integer)
      returns boolean language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        -- Concurrent associates from one source count and insert one after another, so the cap holds exactly.
        perform pg_advisory_xact_lock(hashtextextended('openid_association:' || p_customer::text || ':' || p_source_hash, 0));
        if (select count(*) from public.openid_association a
             where a.customer_id = p_customer and a.source_hash = p_source_hash and a.is_private = false and a.expires_at > p_issued_at) >= p_max then
          return false;
        end if;
        insert into public.openid_association (customer_id, handle, assoc_type, secret, is_private, issued_at, expires_at, source_hash)
        values (p_customer, p_handle, p_assoc_type, p_secret, false, p_issued_at, p_expires_at, p_source_hash);
        return true;
      end $$;`);
    addSql(`
      create function ids_association_delete(p_customer uuid, p_handle text)
      returns boolean language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        delete from public.openid_association a where a.customer_id = p_customer and a.handle = p_handle;
        return found;
      end $$;`);
    addSql(`
      create function ids_nonce_mark_used(p_customer uuid, p_nonce text, p_expires_at timestamptz)
      returns boolean language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        insert into public.openid_nonce (customer_id, nonce, expires_at) values (p_customer, p_nonce, p_expires_at) on conflict (customer_id, nonce) do nothing;
        return found;
      end $$;`);
  },
};
