import { z } from 'zod';

/** SECRET_KEY and SECRET_KEYS, as config.schema.ts lists them (parsed further in secret-keys.ts). */
export const secretKeySchemas = {
  SECRET_KEY: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('Server secret for HMACs (cookies, CSRF, keyed hashes) and sealed values: shorthand for SECRET_KEYS=v1:<SECRET_KEY>. In development a random one is generated per run when neither is set.'),
  SECRET_KEYS: z
    .string()
    .optional()
    .describe(
      'Versions of the server secret, newest first: `v2:<secret>,v1:<secret>` (each at least 32 characters, no commas). New values are made with the first listed, values made with any listed version are accepted; see Rotating SECRET_KEYS. Set together with SECRET_KEY, its v1 must equal SECRET_KEY.',
    ),
};
