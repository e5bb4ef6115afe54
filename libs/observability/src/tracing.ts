import { TracingEnv, loadEnv } from '@app/config';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

let provider: BasicTracerProvider | undefined;

/**
 * Installs OpenTelemetry for this process, once, before anything is handled: an async-local
 * context (so the span of a request or a Kafka event follows its awaits), W3C trace-context
 * propagation (`traceparent` in HTTP and Kafka headers: libs/kafka injects and extracts it) and a
 * tracer provider. Spans are exported over OTLP/HTTP only when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * …_TRACES_ENDPOINT) is set; without it they are still created, so ids propagate and reach logs.
 */
export function startTracing(
  service: string,
  env: TracingEnv = loadEnv(TracingEnv),
): BasicTracerProvider {
  if (provider) return provider;
  const processors: SpanProcessor[] = [];
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    // The exporter reads the endpoint (and OTEL_EXPORTER_OTLP_HEADERS) from the environment itself.
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME ?? service,
      'service.namespace': env.OTEL_SERVICE_NAMESPACE,
    }),
    spanProcessors: processors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return provider;
}

/** Flushes and stops span export (application shutdown). */
export async function stopTracing(): Promise<void> {
  await provider?.shutdown();
}

/** Flushes the spans still buffered when the app shuts down (SIGTERM). */
@Injectable()
export class TracingShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await stopTracing();
  }
}
