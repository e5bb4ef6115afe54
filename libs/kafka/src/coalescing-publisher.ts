import { Injectable } from '@nestjs/common';
import { EventPublisher, Outgoing } from './event-publisher';
import { traceHeaders } from './trace-headers';

interface Waiting {
  items: Outgoing[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Events of several callers sent in one produce request at most. */
const MAX_EVENTS_PER_REQUEST = 1000;

/**
 * Publishes what concurrent callers (webhook requests, partitions handled at once) hand over in
 * shared produce requests: while one request waits for Kafka's acknowledgement, the next events
 * queue up and go together. Each caller still resolves only once all its own events are
 * acknowledged, and one caller's events never straddle two requests. The project's producer is
 * idempotent with one request in flight, so without this every send would wait for every other
 * send's acknowledgement in turn (the gateway answered 503 at a few hundred webhooks per second).
 * Each event keeps the trace of the caller that published it.
 */
@Injectable()
export class CoalescingPublisher {
  private queue: Waiting[] = [];
  private flushing = false;

  constructor(private readonly publisher: EventPublisher) {}

  publish(item: Outgoing): Promise<void> {
    return this.publishAll([item]);
  }

  publishAll(items: Outgoing[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    const trace = traceHeaders();
    const traced = items.map((item) => ({ ...item, headers: { ...trace, ...item.headers } }));
    return new Promise((resolve, reject) => {
      this.queue.push({ items: traced, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch: Waiting[] = [];
        let events = 0;
        while (this.queue.length > 0 && (batch.length === 0 || events + this.queue[0].items.length <= MAX_EVENTS_PER_REQUEST)) {
          const next = this.queue.shift() as Waiting;
          events += next.items.length;
          batch.push(next);
        }
        try {
          await this.publisher.publishAll(batch.flatMap((w) => w.items));
          for (const w of batch) w.resolve();
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
