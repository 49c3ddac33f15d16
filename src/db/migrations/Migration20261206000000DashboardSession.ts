import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE, PLATFORM_ROLE } from '../tenant-tables';

const BY_ID = 'ids_enter_operator_token_by_id(uuid, timestamptz, interval)';

/**
 * The operators' dashboard (issue 21): a signed-in browser holds a session that names its operator
 * token by id, never the token. Each of its GraphQL operations re-checks that token here, in one
 * statement, as `ids_enter_operator_token` (SecretKeyVersions) does for a presented token: the token
 * must still be active (not revoked, not expired), its use is recorded at the same resolution, and
 * its customer is entered for the rest of the transaction (none for a platform-wide token, whose
 * operation moves to the platform pool).
 *
 * Entering by id gives `ids_app` no reach it lacked: the session id that leads here is checked by
 * the service before, and `ids_app` may already enter any customer by its slug
 * (`ids_enter_customer_row`) or its own `set_config`; what this function guards is that a revoked or
 * expired token enters nothing.
 */
export class Migration20261206000000DashboardSession extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function ids_enter_operator_token_by_id(presented_id uuid, at timestamptz, resolution interval)
      returns table (token_id uuid, token_name text, token_role text, token_customer_id uuid)
      language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
      declare
        found public.operator_token;
      begin
        select o.* into found from public.operator_token o
         where o.id = presented_id and o.revoked_at is null and (o.expires_at is null or o.expires_at > at);
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
    this.addSql(`revoke all on function ${BY_ID} from public;`);
    this.addSql(`grant execute on function ${BY_ID} to ${APP_ROLE}, ${PLATFORM_ROLE};`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists ${BY_ID};`);
  }
}
