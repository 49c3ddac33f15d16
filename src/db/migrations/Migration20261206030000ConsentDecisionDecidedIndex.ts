import { Migration } from '@mikro-orm/migrations';

/**
 * A customer's consent decisions by time: the dashboard's approve/deny chart counts one customer's
 * decisions of the last 24 hours or 7 days (consent-stats.repository.ts), and decisions are kept
 * until revoked or erased, so the subject indexes alone would read every decision the customer
 * ever had. It also serves consentDecisions' newest-first pages of one customer.
 */
export class Migration20261206030000ConsentDecisionDecidedIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "consent_decision_customer_decided_index" on "consent_decision" ("customer_id", "decided_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "consent_decision_customer_decided_index";`);
  }
}
