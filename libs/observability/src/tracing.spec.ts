import { kafkaHeaderGetter, traceHeaders } from '@app/kafka';
import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { startTracing } from './tracing';

describe('trace context across Kafka headers', () => {
  beforeAll(() => {
    startTracing('tracing-spec', { OTEL_SERVICE_NAMESPACE: 'test' });
  });

  it('writes nothing when no span is active', () => {
    expect(traceHeaders()).toEqual({});
  });

  it('writes the active span as a W3C traceparent, which a consumer reads back from Buffer headers', async () => {
    const tracer = trace.getTracer('spec');
    const span = tracer.startSpan('webhook');
    const { traceId, spanId } = span.spanContext();
    // Awaits inside the span's context keep it (async-local context manager).
    const headers = await context.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
      await new Promise((r) => setTimeout(r, 1));
      return traceHeaders();
    });
    span.end();
    expect(headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);

    const kafkaHeaders = {
      'event-type': Buffer.from('location.shared'),
      traceparent: Buffer.from(headers.traceparent),
    };
    const extracted = propagation.extract(ROOT_CONTEXT, kafkaHeaders, kafkaHeaderGetter);
    const child = tracer.startSpan('consume', {}, extracted);
    expect(child.spanContext().traceId).toBe(traceId);
    expect(trace.getSpanContext(extracted)?.spanId).toBe(spanId);
    child.end();
  });

  it('ignores a malformed traceparent and starts a new trace', () => {
    const extracted = propagation.extract(
      ROOT_CONTEXT,
      { traceparent: Buffer.from('garbage') },
      kafkaHeaderGetter,
    );
    expect(trace.getSpanContext(extracted)).toBeUndefined();
  });
});
