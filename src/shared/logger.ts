import pino from 'pino';

export type Logger = pino.Logger;

/**
 * The one structured JSON logger; features take child loggers from it. Keys that could carry
 * secrets or postback bodies are redacted even if a caller logs them by mistake.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['apiKey', 'api_key', 'password', 'token', 'authorization', 'req.headers.authorization', '*.apiKey', '*.password'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
