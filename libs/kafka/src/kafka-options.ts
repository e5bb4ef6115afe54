import { KafkaOptions } from '@nestjs/microservices';
import { logLevel } from 'kafkajs';
import { KeyHashPartitioner } from './partitioner';

export interface KafkaSettings {
  brokers: string[];
  /** Prefix of client and group ids (KAFKA_GROUP_PREFIX), so two stacks can share a broker. */
  groupPrefix: string;
  /** How long CoalescingPublisher holds events for others to join their produce request (KAFKA_LINGER_MS). */
  lingerMs?: number;
}

/** An app's KafkaSettings from its environment (KafkaEnv in libs/config). */
export function kafkaSettingsFrom(env: { KAFKA_BROKERS: string[]; KAFKA_GROUP_PREFIX: string; KAFKA_LINGER_MS: number }): KafkaSettings {
  return { brokers: env.KAFKA_BROKERS, groupPrefix: env.KAFKA_GROUP_PREFIX, lingerMs: env.KAFKA_LINGER_MS };
}

/** The app's KafkaSettings, provided by KafkaModule. */
export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');

type ServerOptions = Required<KafkaOptions>['options'];

const client = (settings: KafkaSettings, clientId: string) => ({
  clientId: `${settings.groupPrefix}${clientId}`,
  brokers: settings.brokers,
  logLevel: logLevel.WARN,
  connectionTimeout: 3000,
  retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 12 },
});

/**
 * How long the broker holds a fetch that finds nothing new. kafkajs's default is 5 s, and a
 * consumer being stopped waits for its fetch in flight: apps with three or four consumers, stopped
 * one module after another, took 4–9 s to stop and sometimes passed the 9 s shutdown deadline
 * (logs of 2 December). With 1 s an idle consumer fetches once a second, which costs nothing.
 */
export const CONSUMER_MAX_WAIT_MS = 1_000;

/**
 * How often a batch consumer commits its offsets (KafkaBatchConsumer). kafkajs commits after every
 * batch of every partition, and at a few hundred one-event webhooks per second nearly every batch
 * is one message: each consumer group sent the broker an OffsetCommit per share, and the broker
 * spent about half a core on that and the fetches that go with it (BENCHMARKS.md, "Requests per
 * share"). A crash or a rebalance hands out again at most this much of a partition's work, which
 * every consumer already takes twice without harm (at-least-once, idempotent handlers).
 */
export const COMMIT_INTERVAL_MS = 1_000;

/**
 * How long the broker keeps a consumer that stopped heartbeating (a SIGKILLed pod, a lost node)
 * before it hands that consumer's partitions to the others. It was 30 s: after a SIGKILL in
 * `make chaos` each restarted app waited about 30 s to rejoin its groups (delivery 57 s), and
 * the dead member's partitions were read by nobody meanwhile, so a shopper walking in then got
 * the promotion half a minute late. Live members are not dropped because a handler is slow
 * (Redis down for 10 s, a long catalog chunk): handlers run whileHeartbeating.
 */
export const SESSION_TIMEOUT_MS = 10_000;

/** How often a consumer heartbeats, between batches and while a handler runs (whileHeartbeating). */
export const HEARTBEAT_INTERVAL_MS = 1_000;

/**
 * Runs `work` while heartbeating every `everyMs`: kafkajs heartbeats only between messages and
 * batches, so a handler held up longer than SESSION_TIMEOUT_MS (waiting for Redis to come back)
 * would have its live consumer dropped from the group and its partitions moved under it. A
 * heartbeat that fails (a rebalance began) is left to kafkajs, which meets the same answer at its
 * next heartbeat after the handler and rejoins.
 */
export async function whileHeartbeating<T>(heartbeat: () => Promise<void>, work: () => Promise<T>, everyMs = HEARTBEAT_INTERVAL_MS): Promise<T> {
  const timer = setInterval(() => void heartbeat().catch(() => undefined), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * The fetch of a reader that is not on a promotion's path (brand-api's receipts, delivery's
 * replies): the broker answers once 32 KiB are waiting or 250 ms have passed, so under load the
 * reader fetches a few times a second instead of once per message. An answer to "STOP" or "promos
 * près de moi" leaves at most 250 ms later. What decides a promotion (locations, transitions, the
 * engine's interactions, where a "STOP" must land before the next decision, send requests)
 * fetches as soon as one message is there.
 */
export const OFF_PATH_FETCH = { minBytes: 32 * 1024, maxWaitTimeInMs: 250 };

/** Every producer of the apps: idempotent, one request in flight (so each key's order holds), keys hashed as Java's client does. */
const PRODUCER = { allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1, createPartitioner: KeyHashPartitioner };

/**
 * The one factory of Kafka options for every service (amplication's pattern): consumers join a
 * stable group, read a new group's topics from the beginning, and produce with acks from all
 * in-sync replicas through an idempotent producer.
 */
export function kafkaServerOptions(
  settings: KafkaSettings,
  groupId: string,
  tuning: { partitionsConsumedConcurrently?: number } = {},
): ServerOptions {
  return {
    client: client(settings, `${groupId}-consumer`),
    consumer: {
      groupId: `${settings.groupPrefix}${groupId}`,
      allowAutoTopicCreation: false,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: CONSUMER_MAX_WAIT_MS,
      retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 12 },
    },
    subscribe: { fromBeginning: true },
    run: { partitionsConsumedConcurrently: tuning.partitionsConsumedConcurrently ?? 3 },
    producer: PRODUCER,
    send: { acks: -1 },
    postfixId: '',
  };
}

export function kafkaProducerOptions(settings: KafkaSettings, clientId: string): ServerOptions {
  return {
    client: client(settings, `${clientId}-producer`),
    producer: PRODUCER,
    producerOnlyMode: true,
    postfixId: '',
  };
}
