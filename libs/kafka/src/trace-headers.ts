import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TextMapGetter, context, propagation, trace } from '@opentelemetry/api';
import type { IHeaders, KafkaMessage } from 'kafkajs';

const tracer = trace.getTracer('@app/kafka');

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

/** Where a consumed message comes from, as its consumer span records it. */
export interface MessageSource {
  topic: string;
  partition: number;
  group: string;
}

/**
 * Runs `fn` inside a consumer span that continues the trace the message carries (the
 * `traceparent` EventPublisher wrote), so that what `fn` publishes, calls (the Send API) or logs
 * carries the trace on. The one way every consumer does it: Nest's transport (KafkaEventServer)
 * and the batch consumers, whose chunks hold messages of many traces.
 */
export async function inMessageTrace<R>(source: MessageSource, m: Pick<KafkaMessage, 'offset' | 'headers'>, fn: () => Promise<R>): Promise<R> {
  const parent = propagation.extract(ROOT_CONTEXT, m.headers ?? {}, kafkaHeaderGetter);
  const span = tracer.startSpan(
    `${source.topic} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': source.topic,
        'messaging.destination.partition.id': String(source.partition),
        'messaging.kafka.offset': Number(m.offset),
        'messaging.consumer.group.name': source.group,
      },
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    throw error;
  } finally {
    span.end();
  }
}
