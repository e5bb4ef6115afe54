import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { METRIC_NAMES } from './metric-names';
import { Metrics } from './metrics';

const tracer = trace.getTracer('@app/observability/http');

/**
 * One server span and two metrics per HTTP request (not for /health and /metrics). The span
 * continues a caller's `traceparent` when there is one and is active while the handler runs, so
 * the events it publishes carry the trace on to Kafka (libs/kafka). Routes are labelled by their
 * pattern (`/v1/stores/:id`), never the raw path, which would carry ids and blow up cardinality.
 */
@Injectable()
export class HttpTelemetryInterceptor implements NestInterceptor {
  private readonly requests;
  private readonly duration;

  constructor(metrics: Metrics) {
    this.requests = metrics.counter(
      METRIC_NAMES.httpRequests,
      'HTTP requests by method, route and status',
      ['method', 'route', 'status'],
    );
    this.duration = metrics.histogram(
      METRIC_NAMES.httpRequestDuration,
      'HTTP request duration',
      ['method', 'route'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    );
  }

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const route =
      `${req.baseUrl ?? ''}${(req.route as { path?: string } | undefined)?.path ?? ''}` ||
      'unmatched';
    if (route.startsWith('/health') || route === '/metrics') return next.handle();

    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      `${req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'http.route': route },
      },
      parent,
    );
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const status = res.statusCode;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      this.requests.inc({ method: req.method, route, status: String(status) });
      this.duration.observe(
        { method: req.method, route },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    // Subscribing inside the span's context runs the handler (and all it awaits) in that context.
    return new Observable((subscriber) =>
      context.with(trace.setSpan(parent, span), () => next.handle().subscribe(subscriber)),
    );
  }
}
