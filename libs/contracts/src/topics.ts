/**
 * Every Kafka topic of the system, with the partitioning and retention it is created with
 * (scripts/provision-topics.ts). Names follow `domain.entity[.event].vN`; a topic's key decides
 * its partition and so the order in which one key's events are seen.
 */
export const Topics = {
  StoreCatalog: 'catalog.store.v1',
  OfferCatalog: 'catalog.offer.v1',
  ChannelCatalog: 'catalog.channel.v1',
  ShopperLocation: 'shopper.location.v1',
  ShopperInteraction: 'shopper.interaction.v1',
  GeofenceTransition: 'geofence.transition.v1',
  PromotionSendRequest: 'promotion.send-request.v1',
  DeliveryStatus: 'delivery.status.v1',
  ShopperErasure: 'shopper.erasure.v1',
  /** A Page the delivery service stopped sending for (invalid token, restriction): brand-api shows it broken. */
  ChannelHealth: 'messenger.channel-health.v1',
  BrandCatalog: 'catalog.brand.v1',
  /** Brand-assigned shopper tags (audience rules); the newest list per shopper wins. */
  ShopperTags: 'shopper.tags.v1',
  /** Brand API keys as the gateway checks them: id, brand and SHA-256 only; revocation is a tombstone. */
  ApiKeyCatalog: 'catalog.api-key.v1',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

export interface TopicSpec {
  name: Topic;
  /** What the message key is; it decides the partition. */
  key: 'storeId' | 'offerId' | 'pageId' | 'shopperId' | 'brandId' | 'keyId';
  partitions: number;
  /** Compacted topics keep the latest event per key forever, so projections can be rebuilt. */
  compacted: boolean;
}

const SHOPPER_PARTITIONS = 6;

export const TOPIC_SPECS: readonly TopicSpec[] = [
  { name: Topics.StoreCatalog, key: 'storeId', partitions: 3, compacted: true },
  { name: Topics.OfferCatalog, key: 'offerId', partitions: 3, compacted: true },
  { name: Topics.ChannelCatalog, key: 'pageId', partitions: 1, compacted: true },
  { name: Topics.ShopperLocation, key: 'shopperId', partitions: SHOPPER_PARTITIONS, compacted: false },
  { name: Topics.ShopperInteraction, key: 'shopperId', partitions: SHOPPER_PARTITIONS, compacted: false },
  { name: Topics.GeofenceTransition, key: 'shopperId', partitions: SHOPPER_PARTITIONS, compacted: false },
  { name: Topics.PromotionSendRequest, key: 'shopperId', partitions: SHOPPER_PARTITIONS, compacted: false },
  { name: Topics.DeliveryStatus, key: 'shopperId', partitions: SHOPPER_PARTITIONS, compacted: false },
  { name: Topics.ShopperErasure, key: 'shopperId', partitions: SHOPPER_PARTITIONS, compacted: false },
  { name: Topics.ChannelHealth, key: 'pageId', partitions: 1, compacted: true },
  { name: Topics.BrandCatalog, key: 'brandId', partitions: 1, compacted: true },
  // Not compacted: an erased shopper's tags must not outlive the topic's retention.
  { name: Topics.ShopperTags, key: 'shopperId', partitions: SHOPPER_PARTITIONS, compacted: false },
  { name: Topics.ApiKeyCatalog, key: 'keyId', partitions: 1, compacted: true },
];

/**
 * Topics whose consumers retry later instead of holding the partition: a failed event goes to
 * `<topic>.retry.<n>` (n = 1…delays.length) and is consumed again about `delaysMs[n-1]` later
 * (plus jitter); after the last retry it goes to `<topic>.dlq`.
 */
export const RETRY_SCHEDULES: readonly { topic: Topic; delaysMs: readonly number[] }[] = [
  { topic: Topics.PromotionSendRequest, delaysMs: [1_000, 10_000, 60_000, 600_000] },
];

/** The n-th (1-based) delayed-retry topic of a topic. */
export function retryTopic(topic: string, attempt: number): string {
  return `${topic}.retry.${attempt}`;
}

/** Where a consumer puts an event it can never process (invalid, or failing for good). */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}
