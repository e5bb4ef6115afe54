import { AnyEvent, EventOf, EventType, Topic, createEvent, eventKey, tombstoneOf } from '@app/contracts';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import type { IHeaders, TopicMessages } from 'kafkajs';
import { deadLetterRecord } from './dead-letter-record';
import { traceHeaders } from './trace-headers';

export const KAFKA_PRODUCER_CLIENT = Symbol('KAFKA_PRODUCER_CLIENT');

export interface Outgoing {
  topic: Topic;
  event: AnyEvent;
  headers?: Record<string, string>;
}

/**
 * Produces contract-checked events. Every event is validated against its topic's schema before it
 * leaves (createEvent), keyed by its topic's key, and the returned promise settles only once all
 * in-sync replicas acknowledged it (acks -1): callers answer their own clients after that.
 * A deletion on a compacted catalog topic (`store.deleted`, `offer.deleted`, …) leaves as a
 * tombstone: key = id, value null, what it was in headers (libs/contracts tombstones.ts).
 */
@Injectable()
export class EventPublisher implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(KAFKA_PRODUCER_CLIENT) private readonly client: ClientKafka) {}

  async onModuleInit(): Promise<void> {
    await this.client.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }

  build<T extends Topic, K extends EventType<T>>(
    topic: T,
    type: K,
    data: EventOf<T, K>['data'],
    options?: { id?: string; occurredAt?: Date | string },
  ): Outgoing & { event: EventOf<T, K> } {
    return { topic, event: createEvent(topic, type, data, options) };
  }

  async publish<T extends Topic, K extends EventType<T>>(
    topic: T,
    type: K,
    data: EventOf<T, K>['data'],
    options?: { id?: string; occurredAt?: Date | string; headers?: Record<string, string> },
  ): Promise<EventOf<T, K>> {
    const outgoing = this.build(topic, type, data, options);
    await this.publishAll([{ ...outgoing, headers: options?.headers }]);
    return outgoing.event;
  }

  /**
   * Sends an already validated event to a derived topic that is not in the contract's catalog (a
   * `<topic>.retry.<n>` or `<topic>.dlq`), keyed like its source topic; resolves once acknowledged.
   */
  async forward(sourceTopic: Topic, targetTopic: string, event: AnyEvent, headers: Record<string, string>): Promise<void> {
    await this.client.producer.send({
      topic: targetTopic,
      acks: -1,
      messages: [
        {
          key: eventKey(sourceTopic, event),
          value: JSON.stringify(event),
          headers: { 'event-type': event.type, 'event-id': event.id, ...headers },
        },
      ],
    });
  }

  /**
   * Sends a message a consumer gave up on to a `.dlq` as it came (its bytes may be invalid), with
   * the reason in headers (deadLetterRecord); resolves once acknowledged.
   */
  async deadLetter(targetTopic: string, message: { key: Buffer | string | null; value: Buffer | string | null; headers?: IHeaders }, reason: Record<string, string>): Promise<void> {
    await this.client.producer.send({ topic: targetTopic, acks: -1, messages: [deadLetterRecord(message, reason)] });
  }

  /** Sends events to one or several topics in one request; resolves when all are acknowledged. */
  async publishAll(items: Outgoing[]): Promise<void> {
    if (items.length === 0) return;
    // The caller's trace (a webhook request, the event being consumed) travels with its events.
    const trace = traceHeaders();
    const byTopic = new Map<string, TopicMessages>();
    for (const { topic, event, headers } of items) {
      const messages = byTopic.get(topic) ?? { topic, messages: [] };
      const tombstone = tombstoneOf(topic, event);
      messages.messages.push(
        tombstone
          ? { key: tombstone.key, value: null, headers: { ...trace, ...tombstone.headers, ...headers } }
          : {
              key: eventKey(topic, event),
              value: JSON.stringify(event),
              headers: { 'event-type': event.type, 'event-id': event.id, ...trace, ...headers },
            },
      );
      byTopic.set(topic, messages);
    }
    await this.client.producer.sendBatch({ acks: -1, topicMessages: [...byTopic.values()] });
  }
}
