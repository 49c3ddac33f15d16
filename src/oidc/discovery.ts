import { OIDC_SCOPES, SUPPORTED_CLAIMS } from './claims';
import type { OidcEndpoints } from './endpoints';

/**
 * The provider's metadata (OpenID Connect Discovery 1.0 §3, RFC 8414): what this provider offers
 * and nothing more. Request objects, `claims` requests and dynamic registration are not offered, and
 * `request_uri_parameter_supported` says so explicitly (its default is true).
 */
export function providerMetadata(endpoints: OidcEndpoints): Record<string, unknown> {
  return {
    issuer: endpoints.issuer,
    authorization_endpoint: endpoints.authorization,
    token_endpoint: endpoints.token,
    userinfo_endpoint: endpoints.userinfo,
    jwks_uri: endpoints.jwks,
    end_session_endpoint: endpoints.endSession,
    revocation_endpoint: endpoints.revocation,
    introspection_endpoint: endpoints.introspection,
    scopes_supported: [...OIDC_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256', 'RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    // What a registrable client key (EC P-256 or RSA) can sign a private_key_jwt assertion with.
    token_endpoint_auth_signing_alg_values_supported: ['ES256', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    code_challenge_methods_supported: ['S256'],
    claims_supported: [...SUPPORTED_CLAIMS, 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'at_hash'],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    require_request_uri_registration: false,
    authorization_response_iss_parameter_supported: true,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: false,
  };
}
