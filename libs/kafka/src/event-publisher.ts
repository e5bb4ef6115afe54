import { AnyEvent, EventOf, EventType, Topic, createEvent, eventKey, tombstoneOf } from '@app/contracts';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import type { IHeaders, Message, TopicMessages } from 'kafkajs';
import { deadLetterRecord } from './dead-letter-record';
import { traceHeaders } from './trace-headers';

export const KAFKA_PRODUCER_CLIENT = Symbol('KAFKA_PRODUCER_CLIENT');

export interface Outgoing {
  topic: Topic;
  event: AnyEvent;
  headers?: Record<string, string>;
}

/**
 * Told of each produce request publishAll sends: how many events it carried, how long from its
 * sending to the broker's acknowledgement (or failure), in seconds. For metrics (libs/observability).
 */
export type ProduceObserver = (events: number, seconds: number, outcome: 'acknowledged' | 'failed') => void;

/**
 * Produces contract-checked events. Every event is validated against its topic's schema before it
 * leaves (createEvent), keyed by its topic's key, and the returned promise settles only once all
 * in-sync replicas acknowledged it (acks -1): callers answer their own clients after that.
 * A deletion on a compacted catalog topic (`store.deleted`, `offer.deleted`, …) leaves as a
 * tombstone: key = id, value null, what it was in headers (libs/contracts tombstones.ts).
 */
@Injectable()
export class EventPublisher implements OnModuleInit, OnApplicationShutdown {
  private observer: ProduceObserver | undefined;

  constructor(@Inject(KAFKA_PRODUCER_CLIENT) private readonly client: ClientKafka) {}

  /** Reports every produce request of publishAll to `observer` (one at a time: the last set wins). */
  observeRequests(observer: ProduceObserver): void {
    this.observer = observer;
  }

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

  /**
   * Sends events to one or several topics; resolves when all are acknowledged. They leave in as
   * few requests as fit under MAX_PRODUCE_REQUEST_BYTES each, one after the other (so each key's
   * order holds): the broker refuses a partition's batch over its message.max.bytes (1 MiB by
   * default) for good, and a thousand stores with detailed polygon fences weigh ~70 MB. If one
   * request fails, those before it stay sent and the caller's retry sends them again (at least once).
   */
  async publishAll(items: Outgoing[]): Promise<void> {
    if (items.length === 0) return;
    // The caller's trace (a webhook request, the event being consumed) travels with its events.
    const trace = traceHeaders();
    let request = new Map<string, TopicMessages>();
    let requestBytes = 0;
    let events = 0;
    for (const { topic, event, headers } of items) {
      const tombstone = tombstoneOf(topic, event);
      const message: Message = tombstone
        ? { key: tombstone.key, value: null, headers: { ...trace, ...tombstone.headers, ...headers } }
        : {
            key: eventKey(topic, event),
            value: JSON.stringify(event),
            headers: { 'event-type': event.type, 'event-id': event.id, ...trace, ...headers },
          };
      const bytes = messageBytes(message);
      if (request.size > 0 && requestBytes + bytes > MAX_PRODUCE_REQUEST_BYTES) {
        await this.send(request, events);
        request = new Map();
        requestBytes = 0;
        events = 0;
      }
      const messages = request.get(topic) ?? { topic, messages: [] };
      messages.messages.push(message);
      request.set(topic, messages);
      requestBytes += bytes;
      events += 1;
    }
    await this.send(request, events);
  }

  private async send(request: Map<string, TopicMessages>, events: number): Promise<void> {
    const startedAt = performance.now();
    try {
      await this.client.producer.sendBatch({ acks: -1, topicMessages: [...request.values()] });
    } catch (error) {
      this.observer?.(events, (performance.now() - startedAt) / 1000, 'failed');
      throw error;
    }
    this.observer?.(events, (performance.now() - startedAt) / 1000, 'acknowledged');
  }

}

/**
 * Largest produce request publishAll builds, in message bytes: half the broker's default
 * message.max.bytes, which bounds each partition's batch, leaving room for the batch's framing.
 * A single message above it still leaves, alone.
 */
export const MAX_PRODUCE_REQUEST_BYTES = 512 * 1024;

type Bytes = Buffer | string | null | undefined;
const sizeOf = (value: Bytes | Bytes[]): number =>
  value == null ? 0 : Array.isArray(value) ? value.reduce((n: number, v) => n + sizeOf(v), 0) : typeof value === 'string' ? Buffer.byteLength(value) : value.length;

/** A message's key, value and headers in bytes (the record's own framing is a few bytes more). */
function messageBytes(message: Message): number {
  let bytes = sizeOf(message.key) + sizeOf(message.value as Bytes);
  const headers = message.headers;
  // for…in over own keys: no array of entries per message (every event produced passes here).
  for (const name in headers) if (Object.prototype.hasOwnProperty.call(headers, name)) bytes += name.length + sizeOf(headers[name]);
  return bytes;
}
