import { z } from 'zod';

/** The variables of the queue board at /admin/queues (issue 20, item 3); part of configSchema. */
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
};
