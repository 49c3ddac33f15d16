import { z } from 'zod';

/**
 * The variables of the operators' consoles, part of configSchema: the queue board at /admin/queues
 * (issue 20, item 3) and the dashboard at /dashboard/ (issue 21).
 */
export const adminConfigShape = {
  ADMIN_SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86400)
    .default(3600)
    .describe('How long a queue board session (/admin/queues) lasts after sign-in; the operator token is also re-checked on every request, so revoking it ends the session at once.'),
  RATE_LIMIT_ADMIN_LOGIN_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Sign-in attempts at POST /admin/login one address may send per window; more answer 429.'),
  DASHBOARD_SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .max(86400)
    .default(28800)
    .describe('How long a dashboard session (/dashboard/) lasts after sign-in; the operator token is also re-checked on every request, so revoking it ends the session at once.'),
  DASHBOARD_DIST_DIR: z
    .string()
    .min(1)
    .optional()
    .describe('Directory of the built dashboard (npm run dashboard:build) served at /dashboard/. Defaults to clients/dashboard/dist of the installation.'),
  RATE_LIMIT_DASHBOARD_SIGN_IN_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Sign-in attempts at POST /dashboard/api/session one address may send per window; more answer 429.'),
};
