import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { Observable } from 'rxjs';
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
 * One server span per HTTP request handled by a controller. The span continues a caller's
 * `traceparent` when there is one and is active while the handler runs, so the events it
 * publishes carry the trace on to Kafka (libs/kafka) and log lines carry its ids.
 */
@Injectable()
export class HttpTelemetryInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    if (isProbe(req.url)) return next.handle();
    const route = routeOf(req);
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      `${req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'http.route': route },
      },
      parent,
    );
    res.once('finish', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    // Subscribing inside the span's context runs the handler (and all it awaits) in that context.
    return new Observable((subscriber) =>
      context.with(trace.setSpan(parent, span), () => next.handle().subscribe(subscriber)),
    );
  }
}
