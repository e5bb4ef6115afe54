import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { METRIC_NAMES } from './metric-names';
import { Metrics } from './metrics';

const tracer = trace.getTracer('@app/observability/http');

/** The route pattern (`/v1/stores/:id`), never the raw path, which carries ids (cardinality). */
function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : 'unmatched';
}

const isProbe = (url: string) => url.startsWith('/health') || url.startsWith('/metrics');

/**
 * Express middleware counting every HTTP request by method, route and status, and timing it,
 * including those refused before a handler runs (auth guards, 404, 413). Not /health, /metrics.
 */
export function httpMetricsMiddleware(
  metrics: Metrics,
): (req: Request, res: Response, next: NextFunction) => void {
  const requests = metrics.counter(
    METRIC_NAMES.httpRequests,
    'HTTP requests by method, route and status',
    ['method', 'route', 'status'],
  );
  const duration = metrics.histogram(
    METRIC_NAMES.httpRequestDuration,
    'HTTP request duration',
    ['method', 'route'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  return (req, res, next) => {
    if (isProbe(req.url)) return next();
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = routeOf(req);
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      duration.observe(
        { method: req.method, route },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    next();
  };
}

/**
 * One server span per HTTP request, as Express middleware registered before the body is read. The
 * span continues a caller's `traceparent` when there is one and is active while the request is
 * read and handled (raw-body and Express carry the async context), so the events the handler
 * publishes carry the trace on to Kafka (libs/kafka) and log lines carry its ids. It is named
 * after the route (`POST /webhooks/messenger`) once routing has matched it. It used to be a Nest
 * interceptor: Nest runs interceptors through rxjs and binds an AsyncResource per request, about
 * 6 % of the gateway's CPU per webhook (profile of 2 December, BENCHMARKS.md).
 */
export function httpTracingMiddleware(): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (isProbe(req.url)) return next();
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    res.once('finish', () => {
      const route = routeOf(req);
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
