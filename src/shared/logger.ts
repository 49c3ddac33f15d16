import pino from 'pino';
import type PinoPretty from 'pino-pretty';

export type Logger = pino.Logger;

/** LOG_FORMAT's values; `auto` is decided by `logFormatFor`. */
export type LogFormatSetting = 'auto' | 'json' | 'pretty';

/**
 * What `auto` means: human-readable lines for a person at a terminal in development, JSON for
 * everything else (a log collector, a pipe, a file, production), so machines never get colours.
 */
export function logFormatFor(setting: LogFormatSetting, where: { isTTY: boolean; nodeEnv: string }): 'json' | 'pretty' {
  if (setting !== 'auto') return setting;
  return where.isTTY && where.nodeEnv === 'development' ? 'pretty' : 'json';
}

/**
 * The one structured logger; features take child loggers from it. Keys that could carry
 * secrets or postback bodies are redacted even if a caller logs them by mistake, and database
 * errors are logged without their SQL (see `safeErrorSerializer`). `pretty` writes the same
 * records as human-readable lines to stdout (colours only on a terminal).
 */
export function createLogger(level: string, destination?: pino.DestinationStream, format: 'json' | 'pretty' = 'json'): Logger {
  return pino(
    {
      level,
      base: undefined,
      serializers: { err: safeErrorSerializer },
      redact: {
        paths: ['apiKey', 'api_key', 'password', 'token', 'authorization', 'req.headers.authorization', '*.apiKey', '*.password'],
        censor: '[redacted]',
      },
    },
    format === 'pretty' ? prettyStream(destination) : destination,
  );
}

/**
 * pino-pretty is loaded only when asked for: JSON deployments never pay for it. It runs in the
 * process (sync), not as a worker-thread transport, so the lines before a crash are not lost.
 */
function prettyStream(destination?: pino.DestinationStream): pino.DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand (see above)
  const build = require('pino-pretty') as typeof PinoPretty;
  const target = destination ?? process.stdout;
  const isTTY = (target as { isTTY?: boolean }).isTTY === true;
  return build({ colorize: isTTY, sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true, destination: target as NodeJS.WritableStream });
}

/** The fields of a PostgreSQL error that name a place in the schema, never a value. */
const SAFE_DATABASE_FIELDS = ['name', 'code', 'sqlState', 'severity', 'routine', 'schema', 'table', 'column', 'constraint'] as const;

/**
 * Serializes an error for the log. A database error (from pg, or MikroORM's wrapper of it) carries
 * the statement with its parameters inlined in its message, and the offending values in `detail`,
 * `where` and `parameters`: personal data that must never reach a log line. Those are logged by
 * their SQLSTATE and schema names only; a wrapped cause is serialized by the same rule.
 */
export function safeErrorSerializer(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  if (isDatabaseError(err)) {
    const safe: Record<string, unknown> = { type: err.constructor.name, message: `database error ${describeState(err)}` };
    for (const field of SAFE_DATABASE_FIELDS) {
      const value = (err as unknown as Record<string, unknown>)[field];
      if (typeof value === 'string' || typeof value === 'number') safe[field] = value;
    }
    // The first line of a stack repeats the message, and so the statement: keep only the frames.
    if (err.stack) safe.stack = err.stack.split('\n').filter((line) => /^\s+at /.test(line)).join('\n');
    return safe;
  }
  const cause = (err as { cause?: unknown }).cause;
  // pino's serializer folds every cause's message and stack into the outer ones: only where no
  // cause could carry a statement.
  if (!(cause instanceof Error)) return pino.stdSerializers.err(err);
  return { type: err.constructor.name, message: err.message, stack: err.stack, cause: safeErrorSerializer(cause) };
}

/**
 * A one-line description of an error that is safe to store or show to an operator: a database
 * error by its SQLSTATE (and table, when it names one), never its statement or values.
 */
export function safeErrorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (!isDatabaseError(err)) return err.message;
  const table = (err as unknown as Record<string, unknown>).table;
  return `database error ${describeState(err)}${typeof table === 'string' ? ` on ${table}` : ''}`;
}

/** pg's DatabaseError has `severity` and `routine`; MikroORM's DriverException adds `sqlState`. */
function isDatabaseError(err: Error): boolean {
  const fields = err as unknown as Record<string, unknown>;
  return typeof fields.sqlState === 'string' || (typeof fields.severity === 'string' && typeof fields.routine === 'string');
}

function describeState(err: Error): string {
  const fields = err as unknown as Record<string, unknown>;
  const state = fields.sqlState ?? fields.code;
  return typeof state === 'string' ? state : 'without SQLSTATE';
}
