import { Topics, parseEvent } from '@app/contracts';
import { BatchMessage, EventPublisher, KAFKA_SETTINGS, KafkaSettings, tracesByEventId } from '@app/kafka';
import { BatchConsumerService, HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { DecidePromotion } from './decide-promotion.usecase';

export const TRANSITION_PARTITIONS_CONCURRENTLY = Symbol('TRANSITION_PARTITIONS_CONCURRENTLY');

type Event = ReturnType<typeof parseEvent<typeof Topics.GeofenceTransition>>;

/** What the consumer needs of a Kafka message (kafkajs's KafkaMessage has more). */
export type TransitionMessage = BatchMessage;

/**
 * geofence.transition.v1 in batches (libs/kafka KafkaBatchConsumer, group
 * `promotion-engine-transitions`): chunks of 500 of a partition's messages go to one
 * DecidePromotion.executeBatch call, which keeps each shopper's order. Offsets move on only after
 * the chunk's decisions are logged and their send requests acknowledged (at-least-once).
 */
@Injectable()
export class TransitionsBatchConsumer extends BatchConsumerService<Event> {
  constructor(
    decidePromotion: DecidePromotion,
    publisher: EventPublisher,
    @Inject(KAFKA_SETTINGS) settings: KafkaSettings,
    @Inject(TRANSITION_PARTITIONS_CONCURRENTLY) concurrency: number,
    health: HealthRegistry,
    metrics: Metrics,
  ) {
    super(
      {
        topic: Topics.GeofenceTransition,
        groupId: 'promotion-engine-transitions',
        healthCheck: 'transitions-consumer',
        partitionsConsumedConcurrently: concurrency,
        parse: (m) => parseEvent(Topics.GeofenceTransition, m.value),
        handle: async (chunk) => {
          await decidePromotion.executeBatch(chunk.map((c) => c.event), Date.now(), tracesByEventId(chunk));
        },
      },
      settings,
      publisher,
      health,
      metrics,
    );
  }

  /** Decides one chunk of a partition's messages (the benchmark drives this without a broker). */
  handleChunk(partition: number, chunk: TransitionMessage[]): Promise<void> {
    return this.batches.handleChunk(partition, chunk);
  }
}
