import type { IncomingMessage } from 'node:http';
import { trace } from '@opentelemetry/api';
import type { Params } from 'nestjs-pino';

/**
 * Paths redacted from every log line. Tokens, secrets and raw shopper coordinates never reach a
 * log (STYLE.md §7); request URLs are logged without their query string, which can carry
 * `access_token`, `hub.verify_token` or a share-page token.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  '*.accessToken',
  '*.pageAccessToken',
  '*.appSecret',
  '*.verifyToken',
  '*.apiKey',
  '*.token',
  '*.secret',
  '*.password',
  '*.lat',
  '*.lng',
  '*.long',
  '*.latitude',
  '*.longitude',
  '*.coordinates',
];

function pathOnly(url: string | undefined): string | undefined {
  if (!url) return url;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The request's whole URL. On Fastify, Nest runs this logger as middleware mounted on a path, and
 * the middleware engine cuts that path from `req.url` (as Express's `app.use(path, …)` does),
 * keeping the whole one in `originalUrl`.
 */
function urlOf(req: { url?: string; originalUrl?: string }): string | undefined {
  return req.originalUrl ?? req.url;
}

function traceIds(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  return span && trace.isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {};
}

/**
 * A route called at a high rate whose outcomes are routine: its successes, and its refusals for
 * capacity (503, which the caller retries), are logged at debug rather than info and error. The
 * app's metrics count them (request histogram, shed counter); one line per webhook at thousands a
 * second would bury what an on-call engineer looks for, and cost the gateway about 5 % of its CPU.
 */
export interface RoutineRoute {
  method: string;
  path: string;
}

export function loggerParams(app: string, level: string, pretty: boolean, routine: RoutineRoute[] = []): Params {
  const isRoutine = (req: IncomingMessage) => routine.some((r) => r.method === req.method && r.path === pathOnly(urlOf(req)));
  return {
    pinoHttp: {
      name: app,
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Lines written while a traced request or event is handled carry its trace id (tracing.ts).
      mixin: traceIds,
      transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
      autoLogging: {
        ignore: (req: IncomingMessage) => ['/health', '/health/live', '/metrics'].includes(urlOf(req) ?? ''),
      },
      customLogLevel: (req, res, err) => {
        if ((res.statusCode < 300 || res.statusCode === 503) && routine.length > 0 && isRoutine(req)) return 'debug';
        return err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      },
      // The serializers below read the raw request and response: pino-http's wrapping would first
      // copy every header of each request into an object (then redacted and dropped), because a
      // request's logger binds `req` when the request arrives, whatever the level; that was 2 %
      // of the gateway's CPU under make bench (BENCHMARKS.md, "Late evening of 2 December").
      wrapSerializers: false,
      serializers: {
        req: (req: { id: unknown; method: string; url: string; originalUrl?: string }) => ({
          id: req.id,
          method: req.method,
          url: pathOnly(urlOf(req)),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
