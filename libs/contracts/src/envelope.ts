import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  ApiKeyIssued,
  ApiKeyRevoked,
  BrandSettings,
  ChannelConnected,
  ChannelDisconnected,
  OfferDeleted,
  OfferSnapshot,
  StoreDeleted,
  StoreSnapshot,
} from './events/catalog';
import { ChannelHealth, DeliveryStatus, GeofenceTransition, PromotionSendRequest } from './events/decisions';
import { ShopperErasure, ShopperInteraction, ShopperLocation, ShopperTagsSet } from './events/shopper';
import { FAST_PARSERS, fastEnvelope } from './fast-parse';
import { TOPIC_SPECS, Topic, Topics } from './topics';

/** Which event types each topic carries, and the schema of each one's `data`. */
export const EVENT_CATALOG = {
  [Topics.StoreCatalog]: { 'store.upserted': StoreSnapshot, 'store.deleted': StoreDeleted },
  [Topics.OfferCatalog]: { 'offer.upserted': OfferSnapshot, 'offer.deleted': OfferDeleted },
  [Topics.ChannelCatalog]: {
    'channel.connected': ChannelConnected,
    'channel.disconnected': ChannelDisconnected,
  },
  [Topics.ShopperLocation]: { 'shopper.location-shared': ShopperLocation },
  [Topics.ShopperInteraction]: { 'shopper.interacted': ShopperInteraction },
  [Topics.GeofenceTransition]: { 'geofence.transitioned': GeofenceTransition },
  [Topics.PromotionSendRequest]: { 'promotion.send-requested': PromotionSendRequest },
  [Topics.DeliveryStatus]: { 'delivery.status-changed': DeliveryStatus },
  [Topics.ShopperErasure]: { 'shopper.erased': ShopperErasure },
  [Topics.ChannelHealth]: { 'channel.health-changed': ChannelHealth },
  [Topics.BrandCatalog]: { 'brand.settings-updated': BrandSettings },
  [Topics.ShopperTags]: { 'shopper.tags-set': ShopperTagsSet },
  [Topics.ApiKeyCatalog]: { 'api-key.issued': ApiKeyIssued, 'api-key.revoked': ApiKeyRevoked },
} as const satisfies Record<Topic, Record<string, z.ZodType>>;

type Catalog = typeof EVENT_CATALOG;
export type EventType<T extends Topic> = keyof Catalog[T] & string;

/** The envelope of every event: `{ id, type, occurredAt, data }`. */
export type EventOf<T extends Topic, K extends EventType<T> = EventType<T>> = {
  [P in K]: {
    id: string;
    type: P;
    occurredAt: string;
    data: Catalog[T][P] extends z.ZodType ? z.infer<Catalog[T][P]> : never;
  };
}[K];

/** Any event, whatever its topic. */
export interface AnyEvent {
  id: string;
  type: string;
  occurredAt: string;
  data: unknown;
}

export interface ValidationIssue {
  path: string;
  message: string;
}

/** An event that does not match its topic's contract. Never retried: it goes to the `.dlq`. */
export class EventValidationError extends Error {
  readonly code = 'EVENT_INVALID';
  constructor(
    readonly topic: string,
    readonly issues: ValidationIssue[],
  ) {
    super(
      `invalid event on ${topic}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    );
    this.name = 'EventValidationError';
  }
}

const Envelope = z.object({
  id: z.string().min(1).max(128),
  type: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.unknown(),
});

function issuesOf(error: z.ZodError, prefix: string): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

function schemaFor(topic: Topic, type: string): z.ZodType | undefined {
  const types = EVENT_CATALOG[topic] as Record<string, z.ZodType>;
  return Object.prototype.hasOwnProperty.call(types, type) ? types[type] : undefined;
}

/**
 * Validates a consumed message against its topic's contract. Accepts what the Kafka transport
 * hands over: a parsed object, a JSON string or raw bytes.
 */
export function parseEvent<T extends Topic>(topic: T, raw: unknown): EventOf<T> {
  const value = jsonOf(topic, raw);
  // The engine's hot events have a precompiled check that answers as zod would, or not at all
  // (fast-parse.ts); anything it is not sure of, errors included, is zod's to judge.
  const fast = fastEnvelope(value);
  if (fast) {
    const schema = schemaFor(topic, fast.type);
    const check = schema && FAST_PARSERS.get(schema);
    const data = check?.(fast.data);
    if (data !== undefined) {
      fast.data = data;
      return fast as EventOf<T>;
    }
  }
  return parseWithZod(topic, value);
}

/** parseEvent with zod alone: the reference the fast checks are tested against. */
export function parseEventWithZod<T extends Topic>(topic: T, raw: unknown): EventOf<T> {
  return parseWithZod(topic, jsonOf(topic, raw));
}

function jsonOf(topic: Topic, raw: unknown): unknown {
  let value = raw;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new EventValidationError(topic, [{ path: '', message: 'not JSON' }]);
    }
  }
  return value;
}

function parseWithZod<T extends Topic>(topic: T, value: unknown): EventOf<T> {
  const envelope = Envelope.safeParse(value);
  if (!envelope.success) throw new EventValidationError(topic, issuesOf(envelope.error, ''));
  const schema = schemaFor(topic, envelope.data.type);
  if (!schema) {
    throw new EventValidationError(topic, [
      { path: 'type', message: `"${envelope.data.type.slice(0, 64)}" is not an event type of ${topic}` },
    ]);
  }
  const data = schema.safeParse(envelope.data.data);
  if (!data.success) throw new EventValidationError(topic, issuesOf(data.error, 'data'));
  return { ...envelope.data, data: data.data } as EventOf<T>;
}

/** Builds and validates an event before it is produced: nothing malformed reaches Kafka. */
export function createEvent<T extends Topic, K extends EventType<T>>(
  topic: T,
  type: K,
  data: EventOf<T, K>['data'],
  options: { id?: string; occurredAt?: Date | string } = {},
): EventOf<T, K> {
  const occurredAt =
    options.occurredAt instanceof Date
      ? options.occurredAt.toISOString()
      : (options.occurredAt ?? new Date().toISOString());
  const event = { id: options.id ?? randomUUID(), type, occurredAt, data };
  return parseEvent(topic, event) as EventOf<T, K>;
}

/** The message key of an event, read from the field its topic is keyed by. */
export function eventKey(topic: Topic, event: AnyEvent): string {
  const spec = TOPIC_SPECS.find((s) => s.name === topic);
  if (!spec) throw new Error(`unknown topic ${topic}`);
  const key = (event.data as Record<string, unknown>)[spec.key];
  if (typeof key !== 'string') throw new Error(`event on ${topic} has no ${spec.key}`);
  return key;
}
