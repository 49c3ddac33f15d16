import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { createLogger, logFormatFor } from './shared/logger';
import { startupSummary } from './composition/startup-summary';
import { StartupError } from './shared/startup-error';
import { startApp } from './app';

/** Entry point: load config once, start the configured role, stop gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const { config, warnings, isAdminTokenGenerated } = loaded;
  const format = logFormatFor(config.LOG_FORMAT, { isTTY: process.stdout.isTTY === true, nodeEnv: config.NODE_ENV });
  const log = createLogger(config.LOG_LEVEL, undefined, format);
  for (const warning of warnings) log.warn(warning);

  // Signals are taken from the start: one arriving while the app starts (a worker already running
  // its first job) stops it as soon as it has started, instead of killing the process mid-job.
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  let pending: string | null = null;
  const shutdown = (signal: string) => {
    if (!app) {
      pending ??= signal;
      return;
    }
    const running = app;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error({ timeoutSeconds: config.SHUTDOWN_TIMEOUT_SECONDS }, 'graceful shutdown timed out');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_SECONDS * 1000);
    timer.unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  try {
    app = await startApp({ config, log });
  } catch (err) {
    if (err instanceof StartupError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  if (app.url) {
    const generatedAdminToken = isAdminTokenGenerated ? config.ADMIN_TOKEN.reveal() : null;
    for (const line of startupSummary({ url: app.url, publicUrl: config.PUBLIC_URL, nodeEnv: config.NODE_ENV, generatedAdminToken })) log.info(line);
  }
  if (pending) shutdown(pending);
}

void main();
