import {
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { METRIC_NAMES } from './metric-names';
import { Metrics } from './metrics';

const tracer = trace.getTracer('@app/observability/http');

/** The route pattern (`/v1/stores/:id`), never the raw path, which carries ids (cardinality). */
function routeOf(request: FastifyRequest): string {
  return request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
}

type Hook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/** What HTTP telemetry adds to an app's Fastify instance: hooks when a request arrives and when its answer is sent. */
export interface HttpHooks {
  onRequest: Hook;
  onResponse: Hook;
}

const started = Symbol('http.started');
const spanOf = Symbol('http.span');
type Timed = FastifyRequest & { [started]?: bigint; [spanOf]?: Span };

const isProbe = (url: string) => url.startsWith('/health') || url.startsWith('/metrics');

/**
 * Counts every HTTP request by method, route and status, and times it, including those refused
 * before a handler runs (auth guards, 404, 413). Not /health, /metrics.
 */
export function httpMetricsHooks(metrics: Metrics): HttpHooks {
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
  return {
    onRequest: (request, _reply, done) => {
      if (!isProbe(request.url)) (request as Timed)[started] = process.hrtime.bigint();
      done();
    },
    onResponse: (request, reply, done) => {
      const since = (request as Timed)[started];
      if (since !== undefined) {
        const route = routeOf(request);
        requests.inc({ method: request.method, route, status: String(reply.statusCode) });
        duration.observe({ method: request.method, route }, Number(process.hrtime.bigint() - since) / 1e9);
      }
      done();
    },
  };
}

/**
 * One server span per HTTP request, started when the request arrives, before its body is read.
 * The span continues a caller's `traceparent` when there is one and is active while the request is
 * read and handled (Fastify's body parser carries the async context on), so the events the handler
 * publishes carry the trace on to Kafka (libs/kafka) and log lines carry its ids. It is named
 * after the route (`POST /webhooks/messenger`) once the answer is sent. It used to be a Nest
 * interceptor: Nest runs interceptors through rxjs and binds an AsyncResource per request, about
 * 6 % of the gateway's CPU per webhook (profile of 2 December, BENCHMARKS.md).
 */
export function httpTracingHooks(): HttpHooks {
  return {
    onRequest: (request, _reply, done) => {
      if (isProbe(request.url)) return done();
      const parent = propagation.extract(ROOT_CONTEXT, request.headers);
      const span = tracer.startSpan(request.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method } }, parent);
      (request as Timed)[spanOf] = span;
      context.with(trace.setSpan(parent, span), done);
    },
    onResponse: (request, reply, done) => {
      const span = (request as Timed)[spanOf];
      if (span) {
        const route = routeOf(request);
        span.updateName(`${request.method} ${route}`);
        span.setAttribute('http.route', route);
        span.setAttribute('http.response.status_code', reply.statusCode);
        if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      done();
    },
  };
}
