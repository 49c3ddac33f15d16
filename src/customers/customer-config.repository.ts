import type { SqlPool } from '../db/sql-pool';
import { PromptPolicy, ReturnToVerification } from './customer.entity';
import { CustomerConfig } from './customer-config';
import { privacyCenterOf } from './privacy-center-settings';

interface CustomerRow {
  id: string;
  slug: string;
  name: string;
  verify_url: string;
  prompt_policy: string;
  trusted_realms: string[];
  return_to_verification: string;
  privacy_center: unknown;
}

/**
 * The configuration of the customer with this slug, or null. Through the SECURITY DEFINER
 * `ids_enter_customer_row` (the service's role sees no customer row before it has entered one); as
 * a statement of its own, the scope it enters ends with it.
 */
export async function loadCustomerConfig(pool: SqlPool, slug: string): Promise<CustomerConfig | null> {
  const { rows } = await pool.query<CustomerRow>({
    name: 'ids_customer_config',
    text: 'select id, slug, name, verify_url, prompt_policy, trusted_realms, return_to_verification, privacy_center from ids_enter_customer_row($1)',
    values: [slug],
  });
  const row = rows[0];
  if (!row) return null;
  return Object.freeze({
    id: row.id,
    slug: row.slug,
    name: row.name,
    verifyUrl: row.verify_url,
    promptPolicy: row.prompt_policy as PromptPolicy,
    trustedRealms: Object.freeze([...row.trusted_realms]),
    returnToVerification: row.return_to_verification as ReturnToVerification,
    privacyCenter: privacyCenterOf(row.privacy_center),
  });
}
