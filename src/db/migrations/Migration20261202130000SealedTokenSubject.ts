import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE, PLATFORM_ROLE } from '../tenant-tables';

/**
 * Issue 17: the user an access token is limited to (`oauth_access_token.subject`, the AW username of
 * a token from a login code) is stored sealed under the person's key (`oauth_access_token.subject:<id>`),
 * with the username's keyed hash beside it to find a person's tokens, and the key it is sealed under
 * (`person_key_id`: null on a token issued before, whose subject is clear). A bearer token presented
 * to the API answers them too, so the caller can open the subject, and refuses the token when the
 * person's key is gone (erased).
 */
export class Migration20261202130000SealedTokenSubject extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "oauth_access_token" alter column "subject" type text, add column "subject_hash" text null, add column "person_key_id" uuid null;`);
    this.addSql(`create index "oauth_access_token_subject_hash_index" on "oauth_access_token" ("customer_id", "subject_hash");`);
    this.addSql(`drop function ids_enter_access_token(text, timestamptz);`);
    this.addSql(`
      create function ids_enter_access_token(presented_hash text, at timestamptz)
      returns table (grant_customer_id uuid, grant_client_id text, grant_scopes text[], grant_subject text,
                     grant_token_id uuid, grant_subject_hash text, grant_person_key_id uuid)
      language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
      declare
        found record;
      begin
        select t.id, t.customer_id, c.client_id, t.scopes, t.subject, t.subject_hash, t.person_key_id into found
          from public.oauth_access_token t join public.oauth_client c on c.id = t.client_id
         where t.token_hash = presented_hash and t.revoked_at is null and t.expires_at > at and c.disabled_at is null;
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
    this.addSql(`revoke all on function ids_enter_access_token(text, timestamptz) from public;`);
    this.addSql(`grant execute on function ids_enter_access_token(text, timestamptz) to ${APP_ROLE}, ${PLATFORM_ROLE};`);
  }
}
