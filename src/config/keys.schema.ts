import { z } from 'zod';

/** The variables of encryption at rest (issue 17); part of configSchema. */
export const keysConfigShape = {
  MASTER_KEYS: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Key-encryption keys, newest first: `v2:<base64>,v1:<base64>` (32 random bytes each, `openssl rand -base64 32`). The newest wraps new customer keys; every listed version can unwrap. Required in production; in development and tests a `v1` is derived from SECRET_KEY.',
    ),
  KEY_CACHE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(300)
    .describe('How long an unwrapped customer or person data key stays in memory (0: never cached).'),
};
