import { z } from 'zod';
import { graphqlConfigShape } from './graphql.schema';
import { keysConfigShape } from './keys.schema';
import { metricsConfigShape } from './metrics.schema';
import { oidcConfigShape } from './oidc.schema';
import { adminConfigShape } from './admin.schema';
import { accountConfigShape } from './account.schema';
import { loggingConfigShape } from './logging.schema';
import { secretKeySchemas } from './secret-keys.schema';
import { tracingConfigShape } from './tracing.schema';

/**
 * Every environment variable the service reads, with its default and what it is for. The README's
 * configuration table is written from this list; `describeConfig()` prints it.
 */
export const configSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe('`production` requires SECRET_KEY (or SECRET_KEYS) and ADMIN_TOKEN to be set explicitly.'),
  PUBLIC_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//.test(v) && !/[?#]/.test(v), 'must be an http(s) URL without query or fragment')
    .optional()
    .describe('External base URL; every endpoint URL handed to RPs and AWs is built from it. Defaults to http://HOST:PORT.'),
  HOST: z.string().default('127.0.0.1').describe('Address the HTTP server binds to.'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port (0 picks a free one).'),
  DATABASE_URL: z
    .string()
    .url()
    .default('postgres://ids_app@127.0.0.1:5432/identity')
    .describe(
      'PostgreSQL URL the service works through. Its role must own no table and be neither superuser nor BYPASSRLS, so row-level security applies (the migrations create `ids_app` for this; give it a password in production).',
    ),
  PLATFORM_DATABASE_URL: z
    .string()
    .url()
    .default('postgres://ids_platform@127.0.0.1:5432/identity')
    .describe(
      'PostgreSQL URL of the platform path (the platform operator, the maintenance jobs), which sees every customer. Its role must have BYPASSRLS and be neither superuser nor the tables\' owner (the migrations create `ids_platform` for this; give it a password in production).',
    ),
  PLATFORM_DATABASE_POOL_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(4)
    .describe('Most connections the platform path holds open (its work is a few jobs and the platform operator, so a small pool).'),
  LOGIN_DATABASE_POOL_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe('Most connections the login path (checkid, postback, return, consent, check_authentication) holds open, on DATABASE_URL beside the ORM\'s own pool of 10.'),
  CONFIG_CACHE_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(30)
    .describe('Longest an instance keeps a customer\'s configuration or a shared association in memory without reading it again. Changes reach every instance at once through PostgreSQL notifications; this only bounds what a lost notification could leave behind.'),
  MIGRATION_DATABASE_URL: z
    .string()
    .url()
    .default('postgres://postgres@127.0.0.1:5432/identity')
    .describe('PostgreSQL URL of the tables\' owner, used only to create the database and apply migrations on start and by `npm run migrate`.'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379').describe('Redis URL for the BullMQ queues.'),
  REDIS_CLUSTER: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('`true` when REDIS_URL (and each REDIS_URL_<REGION>) names one node of a Redis Cluster: the other nodes are found from it.'),
  QUEUE_PREFIX: z
    .string()
    .min(1)
    .regex(/^[^{}\s]+$/, 'must not contain braces or spaces (the service adds the hash tag itself)')
    .default('ids')
    .describe('Prefix of the service\'s Redis keys. BullMQ keys are `{QUEUE_PREFIX}:<queue>:…`: the braces are a Redis Cluster hash tag, which keeps each queue\'s keys in one slot.'),
  REGIONS: z
    .string()
    .default('EU')
    .describe(
      'Regions this deployment serves, comma-separated, from EU, NA and APAC; the first is its home region (platform data). Each region has a database of its own: DATABASE_URL_<REGION>, PLATFORM_DATABASE_URL_<REGION> and MIGRATION_DATABASE_URL_<REGION> (required for every region but the first, which falls back to the unsuffixed URLs), and optionally REDIS_URL_<REGION>. With several regions, queue keys are prefixed QUEUE_PREFIX-<region>.',
    ),
  DIRECTORY_DATABASE_URL: z
    .string()
    .url()
    .optional()
    .describe(
      'PostgreSQL URL of the customer directory (customer id, slug, region, status: no personal data), which routes requests to regions and is shared by every deployment of the platform. Defaults to the home region\'s PLATFORM_DATABASE_URL. Its role needs the ids_platform grants the migrations give.',
    ),
  ROLE: z
    .enum(['api', 'worker', 'all'])
    .default('all')
    .describe('`api` serves HTTP, `worker` runs the BullMQ workers, `all` does both in one process.'),
  ...loggingConfigShape,
  ADMIN_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('Bootstrap operator bearer token for /graphql (break-glass). Generated and printed in development when unset.'),
  ...secretKeySchemas,
  ...keysConfigShape,
  API_KEY_ROTATION_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(86400)
    .describe('How long a rotated-out customer API key keeps working, so AWs can switch without downtime.'),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Honour X-Forwarded-Proto from a reverse proxy in front of us (only set it when one is there and strips that header from clients).'),
  ASSOCIATION_LIFETIME_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(1209600)
    .default(1209600)
    .describe('Lifetime of OpenID shared associations (default 14 days, the most allowed).'),
  PRIVATE_ASSOCIATION_LIFETIME_SECONDS: z.coerce
    .number()
    .int()
    .min(30)
    .max(3600)
    .default(600)
    .describe('How long a stateless RP has to verify an assertion through check_authentication.'),
  ASSOCIATION_MAX_LIVE_PER_ADDRESS: z.coerce
    .number()
    .int()
    .min(1)
    .default(100)
    .describe('Live (unexpired) shared associations one address may hold at one customer; `associate` beyond it answers 400 with an error and stores nothing.'),
  NONCE_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86400)
    .default(3600)
    .describe('Oldest response_nonce check_authentication accepts; used nonces are remembered this long.'),
  AUTH_REQUEST_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(3600)
    .default(600)
    .describe('How long a sign-in may take from the RP\'s request to the answer (AW login, postback, consent).'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86400)
    .default(3600)
    .describe('Lifetime of the OAuth 2.0 access tokens POST /oauth/token issues.'),
  LOGIN_CODE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(600)
    .default(60)
    .describe('How long the one-time login code of a positive assertion (openid.ids.code) can be exchanged at POST /oauth/token.'),
  ...oidcConfigShape,
  ...adminConfigShape,
  ...accountConfigShape,
  ...graphqlConfigShape,
  ...metricsConfigShape,
  ...tracingConfigShape,
  PURGE_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(300)
    .describe('How often the purge job removes expired rows.'),
  PURGE_BATCH_SIZE: z.coerce.number().int().min(1).max(100000).default(1000).describe('Rows one purge statement removes at most.'),
  AUTH_REQUEST_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(8760)
    .default(24)
    .describe('How long the purge job keeps an authentication request after it finished (completed, cancelled, expired) or, unfinished, after it expired.'),
  AUDIT_OUTBOX_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(8760)
    .default(24)
    .describe('How long the purge job keeps an audit outbox row after the audit worker moved it onto its chain.'),
  AUDIT_DRAIN_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .default(1000)
    .describe('How often the audit worker moves events from the outbox onto their chains (each run drains the outbox).'),
  WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Development only: lets webhook endpoints use plain http to loopback and private, loopback or link-local addresses (refused otherwise, against SSRF).'),
  RP_DISCOVERY_ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Development only: lets RP discovery (return_to verification) fetch realms over plain http on loopback and at private, loopback or link-local addresses (refused otherwise, against SSRF).'),
  RP_DISCOVERY_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(10000)
    .default(3000)
    .describe('Deadline for one RP discovery fetch of a realm (redirects and the XRDS hop included); past it the request is recorded as FAILED.'),
  RP_DISCOVERY_CACHE_SECONDS: z.coerce.number().int().min(0).max(86400).default(600).describe('How long the return_to URLs a realm publishes are reused before it is fetched again.'),
  RP_DISCOVERY_FAILURE_CACHE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86400)
    .default(60)
    .describe('How long a realm without published return_to URLs (or that could not be fetched) is not fetched again.'),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(10000).describe('How long one webhook delivery attempt may take before it counts as failed.'),
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default('3s,30s,5m,1h,24h')
    .refine((v) => parseSchedule(v) !== null, 'must be a comma-separated list of durations such as 3s,30s,5m,1h,24h or 100ms')
    .transform((v) => parseSchedule(v)!)
    .describe('Delays before each retry of a failed webhook delivery; after the last one it is FAILED (kept, and redeliverable, until the purge job removes it).'),
  WEBHOOK_FAILED_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .default(7)
    .describe('How long the purge job keeps a FAILED webhook delivery (with its attempts) after its last attempt; until then it can be redelivered.'),
  WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(50).default(1000).describe('How often the webhook worker turns new events into deliveries and starts the deliveries that are due.'),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16).describe('Webhook deliveries in flight at once per worker process (a slow endpoint holds one of them).'),
  WEBHOOK_SECRET_GRACE_SECONDS: z.coerce.number().int().min(0).default(86400).describe('How long a rotated-out webhook signing secret keeps signing, so receivers can switch.'),
  AUDIT_DRAIN_BATCH_SIZE: z.coerce.number().int().min(1).max(10000).default(1000).describe('Outbox events chained per transaction.'),
  ERASURE_BATCH_SIZE: z.coerce.number().int().min(1).max(100000).default(1000).describe('Rows one erasure statement removes at most (each batch is its own transaction).'),
  ERASURE_SWEEP_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(60)
    .describe('How often the erasure worker looks for deletion requests still pending (e.g. enqueued while Redis was down) or left running by a worker that died.'),
  ERASURE_STALE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(300)
    .describe('How long a running deletion request may go without progress before the sweep takes it over.'),
  PROFILE_RETENTION_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(3600)
    .describe('How often the retention job erases profiles not seen for their customer\'s profileRetentionDays.'),
  EXPORT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(604800)
    .default(86400)
    .describe('How long a finished profile export can be downloaded through its signed URL before it is purged.'),
  EXPORT_SWEEP_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(60)
    .describe('How often the export worker builds pending exports whose job was lost (Redis down when they were requested).'),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(25).describe('How long a graceful shutdown waits for in-flight requests and jobs before exiting.'),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60).describe('Length of the window every RATE_LIMIT_* count applies to.'),
  RATE_LIMIT_POSTBACK_PER_ADDRESS: z.coerce.number().int().min(1).default(3000).describe('Postbacks (`/c/{slug}/ows_auth`) one address may send per window and customer; more answer 429.'),
  RATE_LIMIT_POSTBACK_PER_API_KEY: z.coerce.number().int().min(1).default(3000).describe('Postbacks per window carrying one API key; more answer 429.'),
  RATE_LIMIT_OPENID_PER_ADDRESS: z.coerce.number().int().min(1).default(600).describe('Requests to the OpenID endpoint (`/c/{slug}/openid`) one address may send per window, and as many to the OpenID Connect authorization endpoint (`/c/{slug}/oidc/authorize`); more answer 429.'),
  RATE_LIMIT_ASSOCIATE_PER_ADDRESS: z.coerce.number().int().min(1).default(30).describe('`associate` requests (each a Diffie-Hellman exchange and a stored association) one address may send per window; more answer 429.'),
  RATE_LIMIT_RP_DISCOVERY_PER_ADDRESS: z.coerce.number().int().min(1).default(30).describe('Checkids one address may send per window whose realm needs RP discovery (an outbound fetch: a realm not in the cache); more answer 429.'),
  RATE_LIMIT_CONSENT_PER_ADDRESS: z.coerce.number().int().min(1).default(120).describe('Consent form submissions one address may send per window; more answer 429.'),
  RATE_LIMIT_TOKEN_PER_CLIENT: z.coerce.number().int().min(1).default(600).describe('Requests to POST /oauth/token per window and client_id; more answer 429.'),
  RATE_LIMIT_GRAPHQL_PER_TOKEN: z.coerce.number().int().min(1).default(1200).describe('GraphQL requests per window and bearer token (or address, without one); more answer 429.'),
  AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(10).describe('Wrong API keys (per customer) or client credentials one address may present within AUTH_FAILURE_WINDOW_SECONDS before it is locked out.'),
  AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(300).describe('Window over which wrong credentials are counted towards a lockout.'),
  AUTH_LOCKOUT_SECONDS: z.coerce.number().int().min(1).default(900).describe('How long a locked-out address is answered 429 (with Retry-After) on that endpoint; each lockout is an audit event.'),
  HTTP_MAX_URL_LENGTH: z.coerce.number().int().min(256).max(65536).default(8192).describe('Longest request URL (path and query) accepted; longer ones answer 414.'),
  HTTP_MAX_HEADER_BYTES: z.coerce.number().int().min(4096).max(65536).default(16384).describe('Largest total size of request headers (Node\'s maxHeaderSize); larger ones answer 431.'),
});

export type RawConfig = z.infer<typeof configSchema>;

/** `3s,30s,5m,1h,24h` (or `100ms`) as milliseconds; null when malformed or empty. */
export function parseSchedule(value: string): number[] | null {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = value.split(',').map((part) => /^\s*(\d+)(ms|s|m|h)\s*$/.exec(part));
  if (parts.length === 0 || parts.some((m) => m === null)) return null;
  return parts.map((m) => Number(m![1]) * units[m![2]!]!);
}
