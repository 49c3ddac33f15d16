import { Migration } from '@mikro-orm/migrations';
import { accountSignIn } from './account-sign-in/return.sql';

/**
 * The privacy center's sign-in (issue 22): an auth request with `mode = 'account'` completes on the
 * browser's return without consent, assertion or code, and its answer names the person's profile
 * (account-sign-in/return.sql.ts). Still one statement per step.
 */
export class Migration20261208020000AccountSignIn extends Migration {
  override async up(): Promise<void> {
    accountSignIn.up((sql) => this.addSql(sql));
  }

  override async down(): Promise<void> {
    accountSignIn.down((sql) => this.addSql(sql));
  }
}
