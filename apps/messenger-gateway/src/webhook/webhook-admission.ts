import { CapacityError } from '@app/http';
import { Metrics } from '@app/observability';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';

export const WEBHOOK_MAX_IN_FLIGHT = Symbol('WEBHOOK_MAX_IN_FLIGHT');
/** How often sheds are summarised in the log (each shed request is logged at debug only). */
const SHED_SUMMARY_MS = 10_000;

/**
 * Load shedding for webhooks: at most `limit` are worked on at once, and the next one is answered
 * 503 before any work (no signature check, no Redis, no Kafka). Meta retries a webhook that did
 * not get 200, so shedding loses nothing; without it an overloaded gateway took every webhook in,
 * each waited longer behind the others, Meta's clients gave up on them (the work went on anyway,
 * for nobody) and retried, and the gateway held tens of thousands of requests: 2.5 GB of heap and
 * a few hundred answers per second in the full-size `make bench` of 2 December.
 */
@Injectable()
export class WebhookAdmission implements OnModuleDestroy {
  private readonly logger = new Logger(WebhookAdmission.name);
  private active = 0;
  private readonly shed;
  /** Sheds since the last summary line. */
  private shedSinceSummary = 0;
  private readonly summaries: NodeJS.Timeout;

  constructor(@Inject(WEBHOOK_MAX_IN_FLIGHT) readonly limit: number, metrics: Metrics) {
    this.shed = metrics.counter('webhook_requests_shed_total', 'Webhooks answered 503 at once because WEBHOOK_MAX_IN_FLIGHT were being worked on');
    metrics.gauge('webhook_requests_in_flight', 'Webhooks being worked on', [], (g) => g.set(this.active));
    this.summaries = setInterval(() => this.summarise(), SHED_SUMMARY_MS).unref();
  }

  /** One warning for the sheds of the last interval, if any (then the count starts again). */
  summarise(): void {
    if (this.shedSinceSummary === 0) return;
    this.logger.warn(
      `shed ${this.shedSinceSummary} webhooks in the last ${SHED_SUMMARY_MS / 1000} s: ${this.limit} were being worked on (WEBHOOK_MAX_IN_FLIGHT); Meta retries them`,
    );
    this.shedSinceSummary = 0;
  }

  onModuleDestroy(): void {
    clearInterval(this.summaries);
    this.summarise();
  }

  get inFlight(): number {
    return this.active;
  }

  /** Runs `work` if there is room, else throws UNAVAILABLE (503, a CapacityError: not logged per request) at once. */
  async within<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      this.shed.inc();
      this.shedSinceSummary += 1;
      throw new CapacityError(`the gateway is at capacity (${this.limit} webhooks in flight); retry later`);
    }
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
    }
  }
}
