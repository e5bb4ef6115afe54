import { Topic, deadLetterTopic } from '@app/contracts';
import { Logger } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { ConsumerLifecycle } from './consumer-lifecycle';
import { EventPublisher } from './event-publisher';
import { classifyFailure } from './failure-policy';
import type { ConsumeOutcome } from './kafka-event.server';
import { COMMIT_INTERVAL_MS, KafkaSettings, kafkaServerOptions, whileHeartbeating } from './kafka-options';
import { rejoinAfterFatalCrash } from './rejoin-after-crash';
import type { MessageSource } from './trace-headers';

/** What a batch consumer needs of a Kafka message (kafkajs's KafkaMessage has more). */
export type BatchMessage = Pick<KafkaMessage, 'key' | 'value' | 'offset' | 'headers'> & { timestamp?: string };

/** A message and what `parse` made of it. */
export interface Parsed<E> {
  message: BatchMessage;
  event: E;
}

export interface BatchConsumerSpec<E> {
  topic: Topic;
  /** The consumer group, without the stack's prefix (KafkaSettings.groupPrefix adds it). */
  groupId: string;
  /** Validates one message; throws when it breaks its contract (it is dead-lettered at once). */
  parse(message: BatchMessage): E;
  /**
   * Handles a chunk of one partition's messages, in offset order. All or nothing, and idempotent:
   * when it throws, the chunk (or part of it) is handled again. `source` (the group with its
   * prefix) is what inMessageTrace needs to continue each message's trace.
   */
  handle(chunk: Parsed<E>[], source: MessageSource): Promise<void>;
  /** Messages handed to `handle` at once (default 500). */
  chunkSize?: number;
  partitionsConsumedConcurrently?: number;
  /**
   * Where a group without committed offsets starts (default true, like every consumer of the
   * system: kafkaServerOptions). False suits a topic whose old messages are worthless.
   */
  fromBeginning?: boolean;
  /**
   * Fetch sizes (kafkajs's defaults otherwise): larger maxBytes drains a backlog of small messages
   * in fewer fetches; minBytes with maxWaitTimeInMs lets a reader that is off the promotion's path
   * take its messages a few times a second instead of one fetch per message.
   */
  fetch?: { maxBytesPerPartition?: number; maxBytes?: number; minBytes?: number; maxWaitTimeInMs?: number };
  /** Counts what happened to `n` messages, for metrics. */
  onOutcome?: (topic: string, outcome: ConsumeOutcome, n: number) => void;
  /**
   * Timings of one chunk, for metrics: each message's wait from its record's timestamp (when its
   * producer built it) to the chunk's hand-over, and how long `handle` took (seconds).
   */
  onTimings?: (topic: string, waitsS: number[], handleS: number) => void;
}

/** A message failing unexpectedly this many times is dead-lettered (libs/kafka's failure policy). */
const MAX_UNEXPECTED_ATTEMPTS = 5;

/**
 * A kafkajs eachBatch consumer under the project's failure policy, for the topics whose volume
 * Nest's one-message-at-a-time transport cannot carry (../shared/KAFKA.md): a partition's batch is
 * handed over in chunks, so a use case pays one set of Redis round trips per chunk instead of per
 * event. Offsets move on only after a chunk is handled (at-least-once). Invalid messages go to the
 * `.dlq` at once; a transient failure makes kafkajs fetch the batch again from the last resolved
 * offset; any other failure is retried message by message, and a message failing
 * MAX_UNEXPECTED_ATTEMPTS times is dead-lettered, so no poison message blocks its partition.
 */
export class KafkaBatchConsumer<E> {
  readonly consumer: Consumer;
  readonly kafka: Kafka;
  readonly groupId: string;
  private readonly logger: Logger;
  private readonly unexpected = new Map<string, number>();
  private joined = false;
  private readonly lifecycle = new ConsumerLifecycle();
  /** Set when a stop began: a batch that ends after it commits at once. */
  private stopping = false;
  /** Commits whatever the current group generation has handled and not committed (kafkajs's own bookkeeping). */
  private commitHandled: (() => Promise<void>) | undefined;
  private commits: Promise<void> = Promise.resolve();
  private lastCommitAt = 0;
  private idleCommits: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: BatchConsumerSpec<E>,
    settings: KafkaSettings,
    private readonly publisher: EventPublisher,
  ) {
    const options = kafkaServerOptions(settings, spec.groupId);
    this.kafka = new Kafka(options.client as ConstructorParameters<typeof Kafka>[0]);
    this.consumer = this.kafka.consumer({ ...(options.consumer as Parameters<Kafka['consumer']>[0]), ...spec.fetch });
    this.groupId = (options.consumer as { groupId: string }).groupId;
    this.logger = new Logger(`${spec.topic} batch consumer`);
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joined = true));
    this.consumer.on(this.consumer.events.CRASH, () => (this.joined = false));
    this.consumer.on(this.consumer.events.STOP, () => (this.joined = false));
  }

  /** True once the consumer has joined its group and been assigned partitions. */
  get isReady(): boolean {
    return this.joined;
  }

  /** Connects and consumes until `stop` (a `stop` during the start ends it; see ConsumerLifecycle). */
  start(): Promise<void> {
    return this.lifecycle.start(async (stopping) => {
      await this.run(stopping);
      if (stopping()) return;
      rejoinAfterFatalCrash(this.consumer, () => this.run(() => this.stopping), () => this.stopping, this.logger);
      // A partition that goes quiet still gets its last offsets committed within about an interval.
      this.idleCommits = setInterval(() => void this.commit(false).catch(() => undefined), COMMIT_INTERVAL_MS);
      this.idleCommits.unref();
    });
  }

  private async run(stopping: () => boolean): Promise<void> {
    await this.consumer.connect();
    if (stopping()) return;
    await this.consumer.subscribe({ topic: this.spec.topic, fromBeginning: this.spec.fromBeginning ?? true });
    if (stopping()) return;
    // Offsets are committed here, not by kafkajs: its autoCommit commits after every batch
    // whatever autoCommitInterval says (COMMIT_INTERVAL_MS).
    await this.consumer.run({
      autoCommit: false,
      autoCommitInterval: COMMIT_INTERVAL_MS,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.spec.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /**
   * Stops fetching and commits what was handled: kafkajs lets the batch in hand finish (it commits
   * as it ends), and what earlier batches handled is committed before the group is left.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.idleCommits);
    await this.lifecycle.stop(async () => {
      await this.commit(true).catch((error: unknown) => this.logger.warn(`offsets not committed at stop: ${(error as Error).message}`));
      await this.consumer.disconnect().catch(() => undefined);
    });
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, uncommittedOffsets } = payload;
    this.commitHandled = () => commitOffsetsIfNecessary(uncommittedOffsets());
    const size = this.spec.chunkSize ?? 500;
    try {
      for (let i = 0; i < batch.messages.length; i += size) {
        if (!isRunning() || isStale()) break;
        const chunk = batch.messages.slice(i, i + size);
        await whileHeartbeating(heartbeat, () => this.handleChunk(batch.partition, chunk));
        resolveOffset(chunk[chunk.length - 1].offset);
        await heartbeat();
      }
    } catch (error) {
      // What the batch handled before the failure stays handled (as kafkajs's autoCommit does).
      await this.commit(true).catch(() => undefined);
      throw error;
    }
    await this.commit(this.stopping || !isRunning());
  }

  /**
   * Commits the handled offsets when `now`, or when the last commit is COMMIT_INTERVAL_MS old.
   * One commit at a time, so an older set of offsets never lands after a newer one.
   */
  private commit(now: boolean): Promise<void> {
    const next = this.commits.then(async () => {
      const commitHandled = this.commitHandled;
      if (!commitHandled || (!now && Date.now() - this.lastCommitAt < COMMIT_INTERVAL_MS)) return;
      this.lastCommitAt = Date.now();
      await commitHandled();
    });
    this.commits = next.catch(() => undefined);
    return next;
  }

  /**
   * Handles one chunk of a partition's messages, in order; resolves when it is handled. Throws (so
   * the chunk is fetched again) only on transient failures and on a message still within its
   * unexpected-failure retries. Public for benchmarks, which drive it without a broker.
   */
  async handleChunk(partition: number, chunk: BatchMessage[]): Promise<void> {
    const parsed: Parsed<E>[] = [];
    for (const message of chunk) {
      try {
        parsed.push({ message, event: this.spec.parse(message) });
      } catch (error) {
        await this.deadLetter(partition, message, 'invalid', error);
      }
    }
    if (parsed.length === 0) return;
    const source = { topic: this.spec.topic, partition, group: this.groupId };
    const startedAt = Date.now();
    try {
      await this.spec.handle(parsed, source);
      this.spec.onOutcome?.(this.spec.topic, 'processed', parsed.length);
      if (this.spec.onTimings) this.spec.onTimings(this.spec.topic, waitsOf(chunk, startedAt), (Date.now() - startedAt) / 1000);
    } catch (error) {
      if (classifyFailure(error) === 'transient') {
        this.spec.onOutcome?.(this.spec.topic, 'retried', parsed.length);
        throw error;
      }
      await this.oneByOne(source, parsed);
    }
  }

  /** After a chunk failed for no known reason: each message on its own, under the failure policy. */
  private async oneByOne(source: MessageSource, parsed: Parsed<E>[]): Promise<void> {
    const { partition } = source;
    for (const one of parsed) {
      const where = `${partition}/${one.message.offset}`;
      try {
        await this.spec.handle([one], source);
        this.unexpected.delete(where);
        this.spec.onOutcome?.(this.spec.topic, 'processed', 1);
      } catch (error) {
        const kind = classifyFailure(error);
        const attempts = (this.unexpected.get(where) ?? 0) + 1;
        if (kind === 'transient' || (kind === 'unexpected' && attempts < MAX_UNEXPECTED_ATTEMPTS)) {
          if (kind === 'unexpected') this.unexpected.set(where, attempts);
          this.spec.onOutcome?.(this.spec.topic, 'retried', 1);
          throw error;
        }
        this.unexpected.delete(where);
        await this.deadLetter(partition, one.message, kind, error);
      }
    }
  }

  /** The original bytes to `<topic>.dlq`, the reason in headers; awaited before the offset moves on. */
  private async deadLetter(partition: number, m: BatchMessage, kind: string, error: unknown): Promise<void> {
    const { topic } = this.spec;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.logger.warn(`dead-lettering ${topic}/${partition}/${m.offset} (${kind}): ${reason}`);
    // deadLetterRecord keeps the original headers and cuts a value too large for the .dlq.
    await this.publisher.deadLetter(deadLetterTopic(topic), m, {
      'dlq-reason': kind,
      'dlq-error': reason.slice(0, 2000),
      'dlq-source-topic': topic,
      'dlq-source-partition': String(partition),
      'dlq-source-offset': m.offset,
      'dlq-consumer-group': this.groupId,
      'dlq-failed-at': new Date().toISOString(),
    });
    this.spec.onOutcome?.(topic, 'dead_lettered', 1);
  }
}

/** Seconds from each record's timestamp to `at` (ms); records without one are left out. */
function waitsOf(chunk: BatchMessage[], at: number): number[] {
  const waits: number[] = [];
  for (const m of chunk) {
    const ts = m.timestamp === undefined ? NaN : Number(m.timestamp);
    if (Number.isFinite(ts) && ts > 0) waits.push(Math.max(0, at - ts) / 1000);
  }
  return waits;
}

/**
 * The W3C trace headers of a chunk's messages by event id, for a use case that handles the chunk
 * at once and continues each event's trace in what it causes (a location's transitions, a
 * transition's send request).
 */
export function tracesByEventId(chunk: Parsed<{ id: string }>[]): Map<string, Record<string, string>> {
  const traces = new Map<string, Record<string, string>>();
  for (const { message, event } of chunk) {
    const trace = traceOf(message);
    if (trace) traces.set(event.id, trace);
  }
  return traces;
}

function traceOf(m: BatchMessage): Record<string, string> | undefined {
  const trace: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) {
    const value = m.headers?.[name];
    const one = Array.isArray(value) ? value[0] : value;
    if (one !== undefined) trace[name] = one.toString();
  }
  return trace.traceparent ? trace : undefined;
}

/**
 * A chunk cut into rounds for batch statements: round k holds the k-th item of every key, in chunk
 * order. Handled round after round, one key's items keep their order and
 * no key appears twice in one round (one batch statement or script may then touch each key once).
 */
export function roundsByKey<T>(items: T[], keyOf: (item: T) => string): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    (rounds[k] ??= []).push(item);
  }
  return rounds;
}

/**
 * Runs `fn` on every item of a chunk: one key's items one after another, in order, different keys
 * at once, at most `concurrency` keys at a time (a shopper's events keep their order; shoppers do
 * not wait for each other). Rejects with the first failure once every key has finished.
 */
export async function inOrderPerKey<T>(items: T[], keyOf: (item: T) => string, fn: (item: T) => Promise<void>, concurrency = Infinity): Promise<void> {
  const byKey = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = byKey.get(key);
    if (list) list.push(item);
    else byKey.set(key, [item]);
  }
  const lists = [...byKey.values()];
  let next = 0;
  const worker = async () => {
    while (next < lists.length) {
      const list = lists[next++];
      for (const item of list) await fn(item);
    }
  };
  // A failing key stops its worker; the others go on, so every key gets its chance.
  const results = await Promise.allSettled(Array.from({ length: Math.min(concurrency, lists.length) }, worker));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
