import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE, PLATFORM_ROLE } from '../tenant-tables';
import { AddSql } from './login-steps/add-sql';
import { encryptedColumns } from './encryption-at-rest/columns.sql';
import { keyring } from './encryption-at-rest/keyring.sql';
import { sealedCompletion } from './encryption-at-rest/completion.sql';
import { sealedPostback } from './encryption-at-rest/postback.sql';

const PROFILE_APPLY = 'ids_profile_apply(profile, uuid, jsonb, jsonb, jsonb, boolean, boolean, timestamptz, text, text, text)';
const PROFILE_RECORD = 'ids_profile_record(uuid, jsonb, jsonb, jsonb, boolean, boolean, timestamptz, text, text, text)';
const POSTBACK = 'ids_flow_postback(uuid, text, text, text, timestamptz, boolean, boolean, jsonb, boolean, boolean, jsonb, text, jsonb, jsonb, jsonb, boolean, timestamptz, text[], text, text, text)';

/**
 * Issue 17, encryption at rest: the keyring schema (wrapped customer and person keys), the columns
 * that hold sealed values and the keyed hashes beside them, and the login steps that write and
 * match them. Rows written before stay readable (their `person_key_id` is null) until the upgrade
 * job seals them.
 */
export class Migration20261202120000EncryptionAtRest extends Migration {
  override async up(): Promise<void> {
    const addSql: AddSql = (sql) => this.addSql(sql);
    encryptedColumns.up(addSql);
    keyring.up(addSql);
    sealedPostback.up(addSql);
    sealedCompletion.up(addSql);
    for (const fn of [POSTBACK, PROFILE_APPLY, PROFILE_RECORD]) {
      this.addSql(`revoke all on function ${fn} from public;`);
      this.addSql(`grant execute on function ${fn} to ${APP_ROLE};`);
    }
    this.addSql(`grant execute on function ${PROFILE_APPLY} to ${PLATFORM_ROLE};`);
    this.addSql(`grant execute on function ${PROFILE_RECORD} to ${PLATFORM_ROLE};`);
  }
}
