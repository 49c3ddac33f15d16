import { Migration20261123000000Customers } from './Migration20261123000000Customers';
import { Migration20261123010000OpenidStores } from './Migration20261123010000OpenidStores';
import { Migration20261123020000IdentityFlow } from './Migration20261123020000IdentityFlow';
import { Migration20261123030000OAuth } from './Migration20261123030000OAuth';
import { Migration20261123040000LoginCodes } from './Migration20261123040000LoginCodes';
import { Migration20261123050000OperatorTokens } from './Migration20261123050000OperatorTokens';
import { Migration20261201000000RowLevelSecurity } from './Migration20261201000000RowLevelSecurity';
import { Migration20261201010000AuditTrail } from './Migration20261201010000AuditTrail';
import { Migration20261201020000Erasure } from './Migration20261201020000Erasure';
import { Migration20261201030000Exports } from './Migration20261201030000Exports';
import { Migration20261201040000ProfileRestriction } from './Migration20261201040000ProfileRestriction';
import { Migration20261201050000Retention } from './Migration20261201050000Retention';
import { Migration20261201060000Webhooks } from './Migration20261201060000Webhooks';
import { Migration20261201070000EnterCustomerRow } from './Migration20261201070000EnterCustomerRow';
import { Migration20261202000000WebhookFailedRetention } from './Migration20261202000000WebhookFailedRetention';
import { Migration20261202010000AssociationSource } from './Migration20261202010000AssociationSource';
import { Migration20261202020000PlatformRole } from './Migration20261202020000PlatformRole';
import { Migration20261202030000ReturnToVerification } from './Migration20261202030000ReturnToVerification';
import { Migration20261202040000ExportPurpose } from './Migration20261202040000ExportPurpose';
import { Migration20261202100000LoginSteps } from './Migration20261202100000LoginSteps';
import { Migration20261202110000ProfileLockedOnce } from './Migration20261202110000ProfileLockedOnce';
import { Migration20261202120000SecretKeyVersions } from './Migration20261202120000SecretKeyVersions';

/** Applied in this order; a migration, once released, is never edited (add a new one). */
export const migrationsList = [
  { name: 'Migration20261123000000Customers', class: Migration20261123000000Customers },
  { name: 'Migration20261123010000OpenidStores', class: Migration20261123010000OpenidStores },
  { name: 'Migration20261123020000IdentityFlow', class: Migration20261123020000IdentityFlow },
  { name: 'Migration20261123030000OAuth', class: Migration20261123030000OAuth },
  { name: 'Migration20261123040000LoginCodes', class: Migration20261123040000LoginCodes },
  { name: 'Migration20261123050000OperatorTokens', class: Migration20261123050000OperatorTokens },
  { name: 'Migration20261201000000RowLevelSecurity', class: Migration20261201000000RowLevelSecurity },
  { name: 'Migration20261201010000AuditTrail', class: Migration20261201010000AuditTrail },
  { name: 'Migration20261201020000Erasure', class: Migration20261201020000Erasure },
  { name: 'Migration20261201030000Exports', class: Migration20261201030000Exports },
  { name: 'Migration20261201040000ProfileRestriction', class: Migration20261201040000ProfileRestriction },
  { name: 'Migration20261201050000Retention', class: Migration20261201050000Retention },
  { name: 'Migration20261201060000Webhooks', class: Migration20261201060000Webhooks },
  { name: 'Migration20261201070000EnterCustomerRow', class: Migration20261201070000EnterCustomerRow },
  { name: 'Migration20261202000000WebhookFailedRetention', class: Migration20261202000000WebhookFailedRetention },
  { name: 'Migration20261202010000AssociationSource', class: Migration20261202010000AssociationSource },
  { name: 'Migration20261202020000PlatformRole', class: Migration20261202020000PlatformRole },
  { name: 'Migration20261202030000ReturnToVerification', class: Migration20261202030000ReturnToVerification },
  { name: 'Migration20261202040000ExportPurpose', class: Migration20261202040000ExportPurpose },
  { name: 'Migration20261202100000LoginSteps', class: Migration20261202100000LoginSteps },
  { name: 'Migration20261202110000ProfileLockedOnce', class: Migration20261202110000ProfileLockedOnce },
  { name: 'Migration20261202120000SecretKeyVersions', class: Migration20261202120000SecretKeyVersions },
];
