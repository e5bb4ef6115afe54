import { EventOf, EventValidationError, parseEvent } from './envelope';
import { Topic, Topics } from './topics';

/**
 * Deletions on the compacted catalog topics are real Kafka tombstones: key = the entity's id,
 * value null, so compaction eventually forgets the key (after `delete.retention.ms`) and a
 * projection rebuilt from the topic never sees the entity at all. What was deleted travels in
 * headers, so consumers and operators can tell (and order it against the entity's snapshots):
 * `event-type` (the deletion event's type), `event-id`, `occurred-at`, `entity-type`,
 * `brand-id`, `entity-version`, plus the producer's `traceparent`.
 *
 * Consumers turn a tombstone back into the topic's deletion event at the boundary
 * (`parseCatalogRecord`), so the code behind it handles one event type per deletion, validated
 * like any other. A tombstone without `brand-id` or `entity-version` cannot be ordered against
 * the snapshots a projection holds: it is invalid, and goes to the `.dlq` for an operator.
 */
export const TOMBSTONE_TOPICS = {
  [Topics.StoreCatalog]: { type: 'store.deleted', entity: 'store', key: 'storeId' },
  [Topics.OfferCatalog]: { type: 'offer.deleted', entity: 'offer', key: 'offerId' },
  [Topics.ChannelCatalog]: { type: 'channel.disconnected', entity: 'channel', key: 'pageId' },
  [Topics.ApiKeyCatalog]: { type: 'api-key.revoked', entity: 'api-key', key: 'keyId' },
} as const;

export type TombstoneTopic = keyof typeof TOMBSTONE_TOPICS;

/** The headers of a tombstone. */
export const TombstoneHeader = {
  EventType: 'event-type',
  EventId: 'event-id',
  OccurredAt: 'occurred-at',
  EntityType: 'entity-type',
  BrandId: 'brand-id',
  Version: 'entity-version',
} as const;

export function isTombstoneTopic(topic: string): topic is TombstoneTopic {
  return Object.prototype.hasOwnProperty.call(TOMBSTONE_TOPICS, topic);
}

/** A deletion event as a tombstone: the key, a null value and the headers that say what it was. */
export interface Tombstone {
  key: string;
  value: null;
  headers: Record<string, string>;
}

interface DeletionData {
  brandId: string;
  version: number;
}

/**
 * The tombstone that carries `event` on `topic`, or null when `event` is not the topic's
 * deletion event (it is then produced as a value).
 */
export function tombstoneOf(topic: Topic, event: { id: string; type: string; occurredAt: string; data: unknown }): Tombstone | null {
  if (!isTombstoneTopic(topic) || TOMBSTONE_TOPICS[topic].type !== event.type) return null;
  const spec = TOMBSTONE_TOPICS[topic];
  const data = event.data as DeletionData & Record<string, unknown>;
  return {
    key: String(data[spec.key]),
    value: null,
    headers: {
      [TombstoneHeader.EventType]: event.type,
      [TombstoneHeader.EventId]: event.id,
      [TombstoneHeader.OccurredAt]: event.occurredAt,
      [TombstoneHeader.EntityType]: spec.entity,
      [TombstoneHeader.BrandId]: data.brandId,
      [TombstoneHeader.Version]: String(data.version),
    },
  };
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

function header(headers: Record<string, HeaderValue> | undefined, name: string): string | undefined {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}

/**
 * The deletion event a tombstone stands for, validated against the topic's contract. Throws
 * EventValidationError (→ `.dlq`) when the topic has no tombstones or the headers are missing.
 */
export function eventOfTombstone<T extends Topic>(
  topic: T,
  key: Buffer | string | null,
  headers: Record<string, HeaderValue> | undefined,
): EventOf<T> {
  if (!isTombstoneTopic(topic)) {
    throw new EventValidationError(topic, [{ path: '', message: 'a null value (tombstone) is not an event of this topic' }]);
  }
  const spec = TOMBSTONE_TOPICS[topic];
  const brandId = header(headers, TombstoneHeader.BrandId);
  const version = header(headers, TombstoneHeader.Version);
  const missing = [
    key === null || key.length === 0 ? 'key' : null,
    brandId ? null : `headers.${TombstoneHeader.BrandId}`,
    version && /^\d+$/.test(version) ? null : `headers.${TombstoneHeader.Version}`,
  ].filter((m): m is string => m !== null);
  if (missing.length > 0) {
    throw new EventValidationError(
      topic,
      missing.map((path) => ({ path, message: 'a tombstone needs its key, brand-id and entity-version to be ordered against snapshots' })),
    );
  }
  const keyText = (key as Buffer | string).toString();
  return parseEvent<Topic>(topic, {
    id: header(headers, TombstoneHeader.EventId) ?? `tombstone:${topic}:${keyText}:${version}`,
    type: spec.type,
    occurredAt: header(headers, TombstoneHeader.OccurredAt) ?? new Date(0).toISOString(),
    data: { [spec.key]: keyText, brandId, version: Number(version) },
  }) as EventOf<T>;
}

/**
 * A consumed record of `topic` as an event: a value is parsed and validated (parseEvent), a
 * tombstone becomes the topic's deletion event (eventOfTombstone). Either way an invalid record
 * throws EventValidationError.
 */
export function parseCatalogRecord<T extends Topic>(
  topic: T,
  record: { key: Buffer | string | null; value: unknown; headers?: Record<string, HeaderValue> },
): EventOf<T> {
  if (record.value === null || record.value === undefined) return eventOfTombstone(topic, record.key, record.headers);
  return parseEvent(topic, record.value);
}
