import { DomainError } from '@app/http';
import { Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';

export const WEBHOOK_MAX_IN_FLIGHT = Symbol('WEBHOOK_MAX_IN_FLIGHT');

/**
 * Load shedding for webhooks: at most `limit` are worked on at once, and the next one is answered
 * 503 before any work (no signature check, no Redis, no Kafka). Meta retries a webhook that did
 * not get 200, so shedding loses nothing; without it an overloaded gateway took every webhook in,
 * each waited longer behind the others, Meta's clients gave up on them (the work went on anyway,
 * for nobody) and retried, and the gateway held tens of thousands of requests: 2.5 GB of heap and
 * a few hundred answers per second in the full-size `make bench` of 2 December.
 */
@Injectable()
export class WebhookAdmission {
  private active = 0;
  private readonly shed;

  constructor(@Inject(WEBHOOK_MAX_IN_FLIGHT) readonly limit: number, metrics: Metrics) {
    this.shed = metrics.counter('webhook_requests_shed_total', 'Webhooks answered 503 at once because WEBHOOK_MAX_IN_FLIGHT were being worked on');
    metrics.gauge('webhook_requests_in_flight', 'Webhooks being worked on', [], (g) => g.set(this.active));
  }

  get inFlight(): number {
    return this.active;
  }

  /** Runs `work` if there is room, else throws UNAVAILABLE (503) at once. */
  async within<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      this.shed.inc();
      throw new DomainError('UNAVAILABLE', `the gateway is at capacity (${this.limit} webhooks in flight); retry later`);
    }
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
    }
  }
}
