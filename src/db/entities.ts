import { Customer } from '../customers/customer.entity';
import { CustomerApiKey } from '../customers/customer-api-key.entity';
import { AssociationRecord } from '../openid-provider/association.entity';
import { UsedNonce } from '../openid-provider/nonce.entity';
import { AuthRequest, AuthRequestTransition } from '../identity-flow/auth-request.entity';
import { SignInHourCount } from '../identity-flow/sign-in-hour-count.entity';
import { ConsentDecision } from '../consent/consent-decision.entity';
import { Profile } from '../profiles/profile.entity';
import { OAuthClient } from '../oauth/oauth-client.entity';
import { OAuthAccessToken } from '../oauth/access-token.entity';
import { OAuthLoginCode } from '../oauth/login-code.entity';
import { OperatorToken } from '../operators/operator-token.entity';
import { AuditEvent, AuditOutbox, AuditPayload } from '../audit/audit.entity';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../webhooks/webhook.entity';
import { PurgeRun } from '../retention/purge-run.entity';
import { DeletionRequest } from '../erasure/deletion-request.entity';
import { ProfileExport } from '../exports/profile-export.entity';
import { OidcCode } from '../oidc-provider/oidc-code.entity';
import { OAuthRefreshToken } from '../oidc-provider/refresh-token.entity';
import { OidcSigningKey } from '../oidc-provider/signing-key.entity';
import { PrivacyRequest } from '../privacy-requests/privacy-request.entity';

/** Every entity the ORM knows; each feature's entities are added here. */
export const entities = [
  Customer, CustomerApiKey, AssociationRecord, UsedNonce, AuthRequest, AuthRequestTransition, ConsentDecision, Profile, OAuthClient, OAuthAccessToken,
  OAuthLoginCode, OperatorToken, AuditOutbox, AuditEvent, AuditPayload, PurgeRun, WebhookEndpoint, WebhookDelivery, WebhookAttempt, DeletionRequest,
  ProfileExport, OidcCode, OAuthRefreshToken, OidcSigningKey, SignInHourCount, PrivacyRequest,
];
