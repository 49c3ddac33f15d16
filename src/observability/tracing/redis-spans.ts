import { context, SpanKind, SpanStatusCode, trace, Tracer } from '@opentelemetry/api';
import type { Cluster, Redis } from 'ioredis';

/** What ioredis hands `sendCommand`: only the command's name is read, never its arguments (keys name people and flows). */
interface RedisCommand {
  name: string;
  promise: Promise<unknown>;
}

/**
 * Traces one ioredis client's commands: a span `redis <COMMAND>` per command sent inside a traced
 * unit of work, with the command's name and nothing else (no key, no argument). Commands sent
 * outside one (the workers' blocking polls, reconnections) are not traced.
 */
export function traceRedis(redis: Redis | Cluster, tracer: Tracer): void {
  const client = redis as unknown as { sendCommand: (command: RedisCommand, ...rest: unknown[]) => unknown };
  const sendCommand = client.sendCommand.bind(redis);
  client.sendCommand = (command, ...rest) => {
    const parent = context.active();
    if (!trace.getSpan(parent) || !command || typeof command.name !== 'string') return sendCommand(command, ...rest);
    const name = command.name.toUpperCase();
    const span = tracer.startSpan(`redis ${name}`, { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'redis', 'db.operation.name': name } }, parent);
    command.promise.then(
      () => span.end(),
      (err: unknown) => {
        span.setAttribute('error.type', err instanceof Error ? err.name : 'error');
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      },
    );
    return sendCommand(command, ...rest);
  };
}
