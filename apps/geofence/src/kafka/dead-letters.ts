import { deadLetterTopic } from '@app/contracts';
import { deadLetterRecord } from '@app/kafka';
import { Logger } from '@nestjs/common';
import type { KafkaMessage, Producer } from 'kafkajs';

/**
 * The `.dlq` step of libs/kafka's failure policy for the catalog projections' own kafkajs
 * consumers (CompactedProjectionConsumer): the original bytes, the reason in headers, the produce
 * awaited before the offset moves on.
 */
export async function deadLetter(
  producer: Producer,
  logger: Logger,
  source: { topic: string; partition: number; message: KafkaMessage; group: string },
  kind: string,
  error: unknown,
): Promise<void> {
  const { topic, partition, message: m } = source;
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  logger.warn(`dead-lettering ${topic}/${partition}/${m.offset} (${kind}): ${reason}`);
  await producer.send({
    topic: deadLetterTopic(topic),
    acks: -1,
    messages: [
      deadLetterRecord(m, {
        'dlq-reason': kind,
        'dlq-error': reason.slice(0, 2000),
        'dlq-source-topic': topic,
        'dlq-source-partition': String(partition),
        'dlq-source-offset': m.offset,
        'dlq-consumer-group': source.group,
        'dlq-failed-at': new Date().toISOString(),
      }),
    ],
  });
}
