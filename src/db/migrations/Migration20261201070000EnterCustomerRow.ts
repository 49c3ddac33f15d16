import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../tenant-tables';

/**
 * Like `ids_enter_customer`, but answers the customer's row too, so a request to /c/{slug}/… has its
 * customer in hand after one statement instead of entering by slug and then reading it again.
 */
export class Migration20261201070000EnterCustomerRow extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function ids_enter_customer_row(customer_slug text) returns setof customer
      language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
      declare
        found public.customer;
      begin
        select c.* into found from public.customer c where c.slug = customer_slug;
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', coalesce(found.id::text, ''), true);
        if found.id is not null then
          return next found;
        end if;
      end $$;`);
    this.addSql(`revoke all on function ids_enter_customer_row(text) from public;`);
    this.addSql(`grant execute on function ids_enter_customer_row(text) to ${APP_ROLE};`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists ids_enter_customer_row(text);`);
  }
}
