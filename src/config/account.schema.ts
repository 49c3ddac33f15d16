import { z } from 'zod';

/**
 * The variables of the privacy center (issue 22, `/c/{slug}/account`), part of configSchema: how long
 * a person's account session lives, and how often one address or one person may sign in and act.
 */
export const accountConfigShape = {
  ACCOUNT_SESSION_IDLE_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86400)
    .default(900)
    .describe('How long a privacy center session (/c/{slug}/account) lasts without use; each page or form used extends it, up to ACCOUNT_SESSION_MAX_SECONDS after sign-in.'),
  ACCOUNT_SESSION_MAX_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86400)
    .default(3600)
    .describe('Longest a privacy center session lasts after sign-in, however often it is used; then the person signs in again through the customer\'s login site.'),
  RATE_LIMIT_ACCOUNT_SIGN_IN_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Privacy center sign-ins (GET /c/{slug}/account/sign-in) one address may start per window, at one customer and at all customers together; more answer 429.'),
  RATE_LIMIT_ACCOUNT_SIGN_IN_PER_PROFILE: z.coerce
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('Privacy center sessions one person (profile) may open per hour by signing in; past it the sign-in answers 429 and opens no session.'),
  RATE_LIMIT_ACCOUNT_REQUESTS_PER_PROFILE: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe('Forms (corrections, withdrawals, exports, restriction, objection, deletion) one person may send in the privacy center per hour; more answer 429.'),
  RATE_LIMIT_ACCOUNT_REQUESTS_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .default(60)
    .describe('Privacy center forms one address may send per hour, whoever is signed in; more answer 429.'),
};
