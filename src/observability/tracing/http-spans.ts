import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, Tracer } from '@opentelemetry/api';
import { RequestHandler } from 'express';

/** Mounts answered by a plain handler (no express route): named by their mount path. */
const MOUNTS = new Set(['/graphql']);

/**
 * A server span per request, named `HTTP <METHOD> <route template>` (`/c/:slug/ows_auth`, never
 * the path itself: no slug, request id or query reaches a span), child of the caller's span when
 * the request carries a valid W3C `traceparent`. The span is the active context of everything the
 * request runs (its SQL, Redis and GraphQL spans), also after its body is read: the request and
 * response emitters are bound to it.
 */
export function httpSpans(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    // Only `traceparent` is read: `tracestate` and `baggage` are the caller's free text, which would
    // otherwise ride along in every span we export and every job we enqueue.
    const parent = propagation.extract(ROOT_CONTEXT, { traceparent: req.headers.traceparent });
    const method = req.method;
    const span = tracer.startSpan(`HTTP ${method}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, parent);
    const active = trace.setSpan(parent, span);
    context.bind(active, req);
    context.bind(active, res);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = req.route ? String((req.route as { path: unknown }).path) : MOUNTS.has(req.baseUrl) ? req.baseUrl : '';
      if (route) {
        span.updateName(`HTTP ${method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(active, next);
  };
}
