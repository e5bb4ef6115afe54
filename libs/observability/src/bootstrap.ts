import { BodyLimits, answerFrameworkError, readJsonBodies } from '@app/http';
import { KafkaEventServer, KafkaSettings, kafkaServerOptions } from '@app/kafka';
import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { GracefulShutdown } from './graceful-shutdown';
import { HealthRegistry } from './health';
import { groupJoinsCounter } from './kafka-group-joins';
import { httpMetricsHooks, httpTracingHooks } from './http-telemetry';
import { METRIC_NAMES } from './metric-names';
import { Metrics } from './metrics';
import { startTracing } from './tracing';

/**
 * How long an idle kept-alive connection stays open. With Node's 5 s, a client whose own event
 * loop was busy a few seconds (a test process loading its next file, building a large body) sent
 * its next request on a connection the server had just closed ("other side closed" in `make test`).
 * Above ingress-nginx's default 60 s upstream keep-alive, so that the proxy gives up first.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** What an app takes as a JSON body unless it says otherwise. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export interface BootstrapOptions {
  name: string;
  port: number;
  host?: string;
  /** Consume Kafka with this group (workers, and HTTP apps that also consume). */
  consumer?: { settings: KafkaSettings; groupId: string; partitionsConsumedConcurrently?: number };
  /** Keep the raw request bytes (webhook signatures). */
  rawBody?: boolean;
  /** Largest accepted JSON body per route (default 1 MiB everywhere); larger ones are answered 413. */
  bodyLimits?: BodyLimits;
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
}

/**
 * Starts an app the same way everywhere: JSON logs, graceful shutdown on SIGTERM (stop taking
 * work, finish what is in flight, commit, exit 0 within 10 s: graceful-shutdown.ts), a Kafka consumer with the project's error policy
 * whose group membership is part of /health, then the HTTP listener.
 */
export async function bootstrapApp(module: Type<unknown> | DynamicModule, options: BootstrapOptions): Promise<INestApplication> {
  startTracing(options.name);
  const bodyLimits = options.bodyLimits ?? { defaultBytes: DEFAULT_BODY_LIMIT_BYTES };
  const adapter = new FastifyAdapter({
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // What a route without its own limit takes, and a request no route matches.
    bodyLimit: bodyLimits.defaultBytes,
    // As Express did: `/v1/stores/` is `/v1/stores`.
    routerOptions: { ignoreTrailingSlash: true },
    // A URL Fastify's router refuses (bad encoding, a parameter over 100 characters) gets the project's JSON error.
    frameworkErrors: answerFrameworkError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bufferLogs: true,
    // Bodies are read by readJsonBodies below, with each route's limit.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  const shutdown = new GracefulShutdown(options.name);
  fastify.addHook('onRequest', shutdown.refuseWhileClosing);
  // Before the body is read, so that refused bodies are counted too.
  for (const hooks of [httpMetricsHooks(app.get(Metrics)), httpTracingHooks()]) {
    fastify.addHook('onRequest', hooks.onRequest);
    fastify.addHook('onResponse', hooks.onResponse);
  }
  readJsonBodies(fastify, bodyLimits, options.rawBody ?? false);
  await options.configure?.(app);

  if (options.consumer) {
    const { settings, groupId, partitionsConsumedConcurrently } = options.consumer;
    const metrics = app.get(Metrics);
    const consumed = metrics.counter(METRIC_NAMES.kafkaEventsConsumed, 'Kafka events handled, by topic and outcome', ['topic', 'outcome']);
    const joins = groupJoinsCounter(metrics);
    const server = new KafkaEventServer(
      kafkaServerOptions(settings, groupId, { partitionsConsumedConcurrently }),
      {
        onOutcome: (topic, outcome) => consumed.inc({ topic, outcome }),
        onGroupJoin: (group) => joins.inc({ group }),
      },
    );
    metrics.gauge(
      METRIC_NAMES.kafkaConsumerLag,
      'Messages not yet consumed by this group, per partition (high watermark minus committed offset)',
      ['group', 'topic', 'partition'],
      async (gauge) => {
        gauge.reset();
        for (const p of await server.consumerLag()) gauge.set({ group: p.group, topic: p.topic, partition: String(p.partition) }, p.lag);
      },
    );
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
    app.get(HealthRegistry).register('kafka-consumer', () => server.isReady);
    await app.startAllMicroservices();
  }

  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  await app.listen(options.port, options.host ?? '0.0.0.0');
  shutdown.onSignals(app);
  app.get(Logger).log(`${options.name} listening on port ${options.port}`);
  return app;
}

/** Runs `main` and exits with a clear message when start-up fails (bad environment, no broker). */
export function runMain(name: string, main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    console.error(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
