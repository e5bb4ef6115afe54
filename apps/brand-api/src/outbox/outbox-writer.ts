import { EventOf, EventType, Topic } from '@app/contracts';
import { EventPublisher, Outgoing } from '@app/kafka';
import { Injectable } from '@nestjs/common';
import type { Tx } from '../persistence/transaction-runner';
import { OutboxRelay } from './outbox-relay.service';
import { OutboxRepository } from './outbox.repository';

/**
 * What a use case needs of the outbox: build contract-checked events, record them in its own
 * transaction, and, once that transaction committed, let the relay publish them at once.
 */
@Injectable()
export class OutboxWriter {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly publisher: EventPublisher,
  ) {}

  event<T extends Topic, K extends EventType<T>>(topic: T, type: K, data: EventOf<T, K>['data']): Outgoing {
    return this.publisher.build(topic, type, data);
  }

  /** Records events in the caller's transaction; they are published after it commits. */
  append(tx: Tx, events: Outgoing[]): Promise<void> {
    return this.outbox.append(tx, events);
  }

  /** Call after the commit: the relay publishes now instead of at its next poll. */
  flush(): void {
    this.relay.wake();
  }
}
