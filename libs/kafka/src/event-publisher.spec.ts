import { Topics } from '@app/contracts';
import type { ClientKafka } from '@nestjs/microservices';
import type { ProducerBatch } from 'kafkajs';
import { EventPublisher, MAX_PRODUCE_REQUEST_BYTES, Outgoing } from './event-publisher';

/** A store event of about `bytes` bytes (a detailed polygon fence weighs ~70 KB). */
const storeEvent = (storeId: string, bytes: number) =>
  ({
    topic: Topics.StoreCatalog,
    event: { id: `e-${storeId}`, type: 'store.upserted', occurredAt: '2026-12-02T06:00:00.000Z', data: { storeId, name: 'x'.repeat(bytes) } },
  }) as unknown as Outgoing;

/** The producer's requests as the broker would receive them (a recording of sendBatch). */
function recordingPublisher(): { publisher: EventPublisher; requests: ProducerBatch[] } {
  const requests: ProducerBatch[] = [];
  const client = { producer: { sendBatch: async (batch: ProducerBatch) => void requests.push(batch) } } as unknown as ClientKafka;
  return { publisher: new EventPublisher(client), requests };
}

const valueBytes = (request: ProducerBatch) =>
  (request.topicMessages ?? []).flatMap((t) => t.messages).reduce((n, m) => n + Buffer.byteLength(String(m.value)), 0);
const keysOf = (requests: ProducerBatch[]) => requests.flatMap((r) => (r.topicMessages ?? []).flatMap((t) => t.messages.map((m) => m.key)));

describe('EventPublisher.publishAll', () => {
  it('sends small events in one request', async () => {
    const { publisher, requests } = recordingPublisher();
    await publisher.publishAll(Array.from({ length: 50 }, (_, i) => storeEvent(`s${i}`, 200)));
    expect(requests).toHaveLength(1);
    expect(keysOf(requests)).toEqual(Array.from({ length: 50 }, (_, i) => `s${i}`));
  });

  it('cuts 40 events of 70 KB into requests the broker accepts, in order', async () => {
    const { publisher, requests } = recordingPublisher();
    await publisher.publishAll(Array.from({ length: 40 }, (_, i) => storeEvent(`s${i}`, 70_000)));
    expect(requests.length).toBeGreaterThanOrEqual(6);
    for (const request of requests) expect(valueBytes(request)).toBeLessThanOrEqual(MAX_PRODUCE_REQUEST_BYTES);
    expect(keysOf(requests)).toEqual(Array.from({ length: 40 }, (_, i) => `s${i}`));
  });

  it('sends an event larger than a request on its own', async () => {
    const { publisher, requests } = recordingPublisher();
    await publisher.publishAll([storeEvent('a', 100), storeEvent('big', MAX_PRODUCE_REQUEST_BYTES + 1), storeEvent('b', 100)]);
    expect(requests.map((r) => keysOf([r]))).toEqual([['a'], ['big'], ['b']]);
  });

  it('tells its observer each request\'s events and outcome', async () => {
    const { publisher } = recordingPublisher();
    const seen: [number, string][] = [];
    publisher.observeRequests((events, seconds, outcome) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      seen.push([events, outcome]);
    });
    await publisher.publishAll([storeEvent('a', 100), storeEvent('big', MAX_PRODUCE_REQUEST_BYTES + 1), storeEvent('b', 100), storeEvent('c', 100)]);
    expect(seen).toEqual([[1, 'acknowledged'], [1, 'acknowledged'], [2, 'acknowledged']]);

    const refused = new Error('NOT_ENOUGH_REPLICAS');
    const failing = new EventPublisher({ producer: { sendBatch: () => Promise.reject(refused) } } as unknown as ClientKafka);
    const outcomes: string[] = [];
    failing.observeRequests((_events, _seconds, outcome) => outcomes.push(outcome));
    await expect(failing.publishAll([storeEvent('a', 100)])).rejects.toBe(refused);
    expect(outcomes).toEqual(['failed']);
  });
});
