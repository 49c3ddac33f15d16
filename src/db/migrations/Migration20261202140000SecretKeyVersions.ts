import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE, PLATFORM_ROLE } from '../tenant-tables';

const ACCESS_TOKEN = 'ids_enter_access_token(text[], timestamptz)';
const OPERATOR_TOKEN = 'ids_enter_operator_token(text[], timestamptz, interval)';

/**
 * SECRET_KEYS (issue 17, item 5): a presented access or operator token is hashed under every listed
 * version of the server secret, and its row (stored under whichever version was newest when it was
 * issued) is found by any of those hashes, in the same one statement as before. These overloads
 * take the hashes as an array; otherwise they are the single-hash functions as they stand (the
 * access token's from SealedTokenSubject, the operator token's from PlatformRole).
 *
 * The single-hash functions stay, for instances of the previous release during a rolling upgrade.
 * TODO: drop `ids_enter_access_token(text, timestamptz)` and `ids_enter_operator_token(text,
 * timestamptz, interval)` in the first migration of a release after this one.
 */
export class Migration20261202140000SecretKeyVersions extends Migration {
  override async up(): Promise<void> {
    // The same answer as SealedTokenSubject's single-hash function (the subject sealed, its hash and key).
    this.addSql(`
      create function ids_enter_access_token(presented_hashes text[], at timestamptz)
      returns table (grant_customer_id uuid, grant_client_id text, grant_scopes text[], grant_subject text,
                     grant_token_id uuid, grant_subject_hash text, grant_person_key_id uuid)
      language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
      declare
        found record;
      begin
        select t.id, t.customer_id, c.client_id, t.scopes, t.subject, t.subject_hash, t.person_key_id into found
          from public.oauth_access_token t join public.oauth_client c on c.id = t.client_id
         where t.token_hash = any(presented_hashes) and t.revoked_at is null and t.expires_at > at and c.disabled_at is null;
        perform set_config('app.customer_id', coalesce(found.customer_id::text, ''), true);
        if found.customer_id is not null then
          grant_customer_id := found.customer_id;
          grant_client_id := found.client_id;
          grant_scopes := found.scopes;
          grant_subject := found.subject;
          grant_token_id := found.id;
          grant_subject_hash := found.subject_hash;
          grant_person_key_id := found.person_key_id;
          return next;
        end if;
      end $$;`);

    this.addSql(`
      create function ids_enter_operator_token(presented_hashes text[], at timestamptz, resolution interval)
      returns table (token_id uuid, token_name text, token_role text, token_customer_id uuid)
      language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
      declare
        found public.operator_token;
      begin
        select o.* into found from public.operator_token o
         where o.token_hash = any(presented_hashes) and o.revoked_at is null and (o.expires_at is null or o.expires_at > at);
        perform set_config('app.customer_id', coalesce(found.customer_id::text, ''), true);
        if found.id is null then
          return;
        end if;
        if found.last_used_at is null or found.last_used_at <= at - resolution then
          -- Conditional, so concurrent requests write once and never move the date backwards.
          update public.operator_token o set last_used_at = at
           where o.id = found.id and (o.last_used_at is null or o.last_used_at <= at - resolution);
        end if;
        token_id := found.id;
        token_name := found.name;
        token_role := found.role;
        token_customer_id := found.customer_id;
        return next;
      end $$;`);

    for (const signature of [ACCESS_TOKEN, OPERATOR_TOKEN]) {
      this.addSql(`revoke all on function ${signature} from public;`);
      this.addSql(`grant execute on function ${signature} to ${APP_ROLE}, ${PLATFORM_ROLE};`);
    }
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists ${OPERATOR_TOKEN};`);
    this.addSql(`drop function if exists ${ACCESS_TOKEN};`);
  }
}
