import { z } from 'zod';

/**
 * The variables of the OpenID Connect provider (issue 19); part of configSchema.
 *
 * Signing key rotation: a rotated-in key is published OIDC_KEY_PUBLISH_SECONDS before it signs
 * (relying parties cache the JWKS: the jwks_uri's Cache-Control should not promise more than
 * this), and a rotated-out key stays published OIDC_KEY_RETIRED_SECONDS after it stops signing,
 * which must cover the life of the last ID token it signed.
 */
export const oidcConfigShape = {
  OIDC_KEY_PUBLISH_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(604800)
    .default(3600)
    .describe('How long a rotated-in OpenID Connect signing key is published in the JWKS before it signs, so relying parties that cache the JWKS hold it before they meet a token it signed. 0 (development, tests) signs with it at once.'),
  OIDC_KEY_RETIRED_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(31536000)
    .default(86400)
    .describe('How long a rotated-out OpenID Connect signing key stays published after it stops signing, so the ID tokens it signed still verify (also as id_token_hint at logout). Must be at least the ID token lifetime.'),
  OIDC_ID_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86400)
    .default(3600)
    .describe('Lifetime of the OpenID Connect ID tokens the token endpoint issues (their exp).'),
  OIDC_REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .max(31536000)
    .default(2592000)
    .describe('How long an OpenID Connect grant can be refreshed, counted from its code exchange; rotation keeps that expiry (absolute, not sliding).'),
};
