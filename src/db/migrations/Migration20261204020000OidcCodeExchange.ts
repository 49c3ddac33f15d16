import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE } from '../tenant-tables';
import { AddSql } from './login-steps/add-sql';
import { codeExchange, CODE_EXCHANGE_FUNCTIONS } from './oidc-code-exchange/code-exchange.sql';

/**
 * The OpenID Connect code exchange as SQL functions (issue 19): read the code in one statement,
 * claim it and write the tokens in a second (see oidc-code-exchange/code-exchange.sql.ts). Granted
 * to the service's role only, like the login's steps.
 */
export class Migration20261204020000OidcCodeExchange extends Migration {
  override async up(): Promise<void> {
    const addSql: AddSql = (s) => this.addSql(s);
    codeExchange.up(addSql);
    for (const fn of CODE_EXCHANGE_FUNCTIONS) {
      this.addSql(`revoke all on function ${fn} from public;`);
      this.addSql(`grant execute on function ${fn} to ${APP_ROLE};`);
    }
  }

  override async down(): Promise<void> {
    for (const fn of CODE_EXCHANGE_FUNCTIONS) this.addSql(`drop function if exists ${fn};`);
  }
}
