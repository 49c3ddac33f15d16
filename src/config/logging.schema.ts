import { z } from 'zod';

/** What the service logs and how it writes it; part of configSchema. */
export const loggingConfigShape = {
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Minimum level of the log lines written to stdout.'),
  LOG_FORMAT: z
    .enum(['auto', 'json', 'pretty'])
    .default('auto')
    .describe('`json`: one JSON object a line; `pretty`: human-readable lines (pino-pretty); `auto`: pretty when stdout is a terminal and NODE_ENV=development, JSON otherwise.'),
};
