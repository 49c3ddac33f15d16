import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { loadConfig } from '../../../src/config';
import { knownOperationNames } from '../../../src/observability/operation-names';
import { formatTraceParent, parseTraceParent, spanRoute } from '../../../src/observability/tracing';
import { parseHeaders, startTracing } from '../../../src/observability/tracing/tracing';

const root = join(__dirname, '..', '..', '..');

describe('tracing', () => {
  it('names a request span by its route template, with the mount path of our fixed mounts, never by request text', () => {
    expect(spanRoute('/c/:slug/ows_auth', '')).toBe('/c/:slug/ows_auth');
    expect(spanRoute('/login', '/admin')).toBe('/admin/login');
    expect(spanRoute('/', '/admin')).toBe('/admin');
    expect(spanRoute('/api/queues/:queueName/:jobId', '/admin/queues')).toBe('/admin/queues/api/*');
    expect(spanRoute(undefined, '/graphql')).toBe('/graphql');
    // No route (a 404, a limit in front of a mount with a slug in it): the span keeps its `HTTP <METHOD>` name.
    expect(spanRoute(undefined, '')).toBeNull();
    expect(spanRoute(undefined, '/c/acme/openid')).toBeNull();
    expect(spanRoute('/login', '/c/acme')).toBeNull();
  });

  it('knows as operation names (for spans and metric labels) exactly the operations of our clients’ documents', () => {
    const names = new Set<string>();
    for (const dir of ['clients/typescript/src/operations', 'clients/dashboard/operations']) {
      for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith('.graphql'))) {
        for (const def of parse(readFileSync(join(root, dir, file), 'utf8')).definitions) {
          if (def.kind === 'OperationDefinition' && def.name) names.add(def.name.value);
        }
      }
    }
    expect([...knownOperationNames()].sort()).toEqual([...names].sort());
  });

  it('reads back the traceparent it writes, and nothing else', () => {
    const span = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
    expect(formatTraceParent(span)).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(parseTraceParent(formatTraceParent(span))).toEqual({ ...span, isRemote: true });
    for (const bad of [
      null,
      42,
      '',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331',
      '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01',
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' or 1=1",
    ]) {
      expect(parseTraceParent(bad)).toBeNull();
    }
  });

  it('is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
    expect(startTracing(loadConfig({ NODE_ENV: 'test' }).config)).toBeNull();
  });

  it('reads OTEL_EXPORTER_OTLP_HEADERS as the standard key=value list, refuses anything else, and never prints it', () => {
    expect(parseHeaders('api-key=abc%3D1, x-team = core')).toEqual({ 'api-key': 'abc=1', 'x-team': 'core' });
    const { config } = loadConfig({ NODE_ENV: 'test', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s3cret' });
    expect(JSON.stringify(config)).not.toContain('s3cret');
    for (const bad of ['api-key', 'a b=c', '=x', 'k=v,,']) {
      expect(() => loadConfig({ NODE_ENV: 'test', OTEL_EXPORTER_OTLP_HEADERS: bad })).toThrow(/OTEL_EXPORTER_OTLP_HEADERS/);
    }
    expect(() => loadConfig({ NODE_ENV: 'test', OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});
