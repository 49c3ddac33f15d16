import 'reflect-metadata';
import { ConfigError } from '../src/config';
import { StartupError } from '../src/shared/startup-error';
import { demoBanner } from './banner';
import { RunningDemo, startDemo } from './run-demo';

/** How long stopping may take before the process gives up and exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

/**
 * Entry point of `npm run demo`: the service on PORT (3000), the sample AW on DEMO_AW_PORT (4000)
 * and the sample RP on DEMO_RP_PORT (5000), all on 127.0.0.1. Other variables configure the service
 * as usual; its log is quiet (warn) unless LOG_LEVEL says otherwise.
 */
async function main(): Promise<void> {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  let demo: RunningDemo;
  try {
    demo = await startDemo({
      servicePort: port('PORT', 3000),
      awPort: port('DEMO_AW_PORT', 4000),
      rpPort: port('DEMO_RP_PORT', 5000),
      env: { LOG_LEVEL: 'warn', ...process.env },
    });
  } catch (err) {
    fail(err);
  }
  process.stdout.write(demoBanner(demo));

  let isStopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (isStopping) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    isStopping = true;
    process.stdout.write(`\n${signal}: stopping the demo (again to force)\n`);
    setTimeout(() => {
      process.stderr.write('error: the demo did not stop in time\n');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    demo.stop().then(
      () => {
        process.stdout.write('demo stopped\n');
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, shutdown);
}

function port(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    process.stderr.write(`error: ${name} must be a port number from 1 to 65535, got ${JSON.stringify(text)}\n`);
    process.exit(1);
  }
  return value;
}

/** Start-up problems the operator can fix get one line each; anything else is a bug and keeps its stack. */
function fail(err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else if (err instanceof StartupError) process.stderr.write(`error: ${err.message}\n`);
  else if (code === 'EADDRINUSE') process.stderr.write(`error: a demo port is already in use (${(err as Error).message}); set PORT, DEMO_AW_PORT or DEMO_RP_PORT\n`);
  else process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}

void main();
