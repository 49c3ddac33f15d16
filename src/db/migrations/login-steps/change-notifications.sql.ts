import { AddSql } from './add-sql';

/**
 * `NOTIFY ids_changes` on every customer change and on the deletion of a shared association, for the
 * caches of every instance (db/change-feed.ts). Moved verbatim from the LoginSteps migration: the SQL it applies is unchanged.
 */
export const changeNotifications = {
  up(addSql: AddSql): void {
    // --- change notifications -------------------------------------------------------------------
    addSql(`
      create function ids_notify_customer_changed() returns trigger language plpgsql as $$
      begin
        perform pg_notify('ids_changes', 'customer');
        return null;
      end $$;`);
    addSql(`create trigger customer_changed after insert or update or delete or truncate on customer for each statement execute function ids_notify_customer_changed();`);
    addSql(`
      create function ids_notify_association_deleted() returns trigger language plpgsql as $$
      begin
        perform pg_notify('ids_changes', 'association:' || old.customer_id::text);
        return null;
      end $$;`);
    addSql(`create trigger association_deleted after delete on openid_association for each row when (old.is_private = false) execute function ids_notify_association_deleted();`);
    addSql(`
      create function ids_notify_association_truncated() returns trigger language plpgsql as $$
      begin
        perform pg_notify('ids_changes', 'association:*');
        return null;
      end $$;`);
    addSql(`create trigger association_truncated after truncate on openid_association for each statement execute function ids_notify_association_truncated();`);
  },
};
