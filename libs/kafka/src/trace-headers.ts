import { TextMapGetter, context, propagation } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';

/** Reads W3C trace context (`traceparent`, `tracestate`) from kafkajs headers (Buffers or strings). */
export const kafkaHeaderGetter: TextMapGetter<IHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => {
    const value = headers[key];
    const one = Array.isArray(value) ? value[0] : value;
    return one === undefined ? undefined : one.toString();
  },
};

/**
 * The trace context of the active span as headers (`traceparent`, maybe `tracestate`); empty
 * when nothing is being traced or tracing is not installed (@app/observability startTracing).
 */
export function traceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}
