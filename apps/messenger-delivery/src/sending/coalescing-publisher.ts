import { EventPublisher, Outgoing } from '@app/kafka';
import { Injectable } from '@nestjs/common';

interface Waiting {
  item: Outgoing;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Publishes delivery statuses from all concurrently handled partitions in shared produce
 * requests: while one request waits for Kafka's acknowledgement, the next statuses queue up and
 * go together. Each caller still resolves only once its own event is acknowledged. The project's
 * producer is idempotent with one request in flight, so without this every send would wait for
 * every other send's acknowledgement in turn.
 */
@Injectable()
export class CoalescingPublisher {
  private queue: Waiting[] = [];
  private flushing = false;

  constructor(private readonly publisher: EventPublisher) {}

  publish(item: Outgoing): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 500);
        try {
          await this.publisher.publishAll(batch.map((w) => w.item));
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
