import type { INestApplication } from '@nestjs/common';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Server } from 'node:http';
import { Logger } from 'nestjs-pino';

/** An app stops within this after SIGTERM; Kubernetes' grace period leaves room above it. */
export const SHUTDOWN_DEADLINE_MS = 9_000;

/**
 * Graceful shutdown on SIGTERM / SIGINT, the same in every app:
 * 1. no new work over HTTP: the listener closes (no new connection), a request that still comes on
 *    a kept-alive connection is answered 503 with `Connection: close` (clients retry elsewhere;
 *    Meta retries a webhook), /health says 503 too; requests in flight are answered (a webhook
 *    after Kafka acknowledged its events) and idle connections are closed;
 * 2. once the last connection is gone, Nest's close(): `beforeApplicationShutdown` hooks stop the
 *    consumers that providers own (they finish the batch in hand and commit it) and the outbox
 *    relay finishes its batch; Nest's Kafka consumer stops after the message in hand and commits;
 *    then `onApplicationShutdown` hooks flush the producers and close Redis and Postgres;
 * 3. exit 0. Past the deadline the process exits 1: whatever it had not committed is delivered
 *    again to the next consumer (at-least-once, made idempotent at the edges).
 * Nest's own enableShutdownHooks() re-raises the signal after closing (exit status 143) and
 * bounds nothing, hence this.
 */
export class GracefulShutdown {
  private closing = false;

  constructor(
    private readonly name: string,
    private readonly deadlineMs = SHUTDOWN_DEADLINE_MS,
  ) {}

  /** A Fastify `onRequest` hook, before every route: refuses new requests once the app is stopping. */
  readonly refuseWhileClosing = (_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    if (!this.closing) return done();
    void reply
      .code(503)
      .headers({ 'content-type': 'application/json; charset=utf-8', connection: 'close', 'retry-after': '1' })
      .send({ statusCode: 503, error: 'SERVICE_UNAVAILABLE', message: `${this.name} is shutting down` });
  };

  /** Stops the app as above on SIGTERM or SIGINT (call once it listens). */
  onSignals(app: INestApplication): void {
    const stop = (signal: NodeJS.Signals) => {
      if (this.closing) return;
      this.closing = true;
      void this.stop(app, signal);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }

  private async stop(app: INestApplication, signal: NodeJS.Signals): Promise<void> {
    const logger = app.get(Logger);
    const started = Date.now();
    logger.log(`${this.name} received ${signal}: stopping`);
    // What the app was doing when the deadline struck, for whoever reads the log afterwards.
    let phase = 'closing HTTP connections';
    const server = app.getHttpServer() as Server;
    setTimeout(() => {
      server.getConnections((_error, open) => {
        logger.error(`${this.name} did not stop within ${this.deadlineMs} ms (still ${phase}; ${open} HTTP connections open); exiting, what it had not committed will be redelivered`);
        process.exit(1);
      });
    }, this.deadlineMs).unref();
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    idle.unref();
    try {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      clearInterval(idle);
      phase = `running the shutdown hooks (consumers, producers, Redis, Postgres; HTTP closed after ${Date.now() - started} ms)`;
      await app.close();
      logger.log(`${this.name} stopped in ${Date.now() - started} ms`);
      process.exit(0);
    } catch (error) {
      logger.error(`${this.name} failed to stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  }
}
