import { EventPublisher } from '@app/kafka';
import { HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { OutboxRepository } from './outbox.repository';

export const OUTBOX_POLL_MS = Symbol('OUTBOX_POLL_MS');

const BATCH = 1_000;

/**
 * Publishes the outbox to Kafka, in id order, at least once. Use cases call `wake()` after their
 * transaction commits, so an event usually leaves within milliseconds; a poll catches the rest
 * (another replica's rows, events left after a crash or while Kafka was down).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastError: string | null = null;
  private readonly published;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly publisher: EventPublisher,
    @Inject(OUTBOX_POLL_MS) private readonly pollMs: number,
    metrics: Metrics,
    private readonly health: HealthRegistry,
  ) {
    this.published = metrics.counter('outbox_events_published_total', 'Outbox events published to Kafka', ['topic']);
  }

  onApplicationBootstrap(): void {
    this.health.register('outbox-relay', () => {
      if (this.lastError) throw new Error(this.lastError);
      return true;
    });
    this.schedule(0);
    setInterval(() => void this.outbox.prune().catch(() => undefined), 3_600_000).unref();
  }

  /** Finishes the batch in hand while the producer and Postgres are still open; publishes no more. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Publish soon: something was just committed. */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.drainAll().finally(() => {
        this.running = null;
        const again = this.again;
        this.again = false;
        this.schedule(again ? 0 : this.pollMs);
      });
    }, ms);
  }

  private async drainAll(): Promise<void> {
    try {
      for (;;) {
        const n = await this.outbox.drain(BATCH, async (events) => {
          await this.publisher.publishAll(events.map(({ topic, event }) => ({ topic, event })));
          for (const e of events) this.published.inc({ topic: e.topic });
        });
        if (n < BATCH || this.stopped) break;
      }
      this.lastError = null;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.logger.warn(`outbox relay could not publish, will retry: ${this.lastError}`);
    }
  }
}
