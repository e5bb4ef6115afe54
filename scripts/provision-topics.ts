/**
 * Creates every topic of libs/contracts (and its `.dlq`) with explicit partitions and policy.
 * Idempotent: existing topics are left alone, missing partitions are added.
 * Usage: node dist/scripts/provision-topics.js   (KAFKA_BROKERS, default localhost:9092)
 */
import { RETRY_SCHEDULES, TOPIC_SPECS, deadLetterTopic, retryTopic } from '@app/contracts';
import { Kafka, ITopicConfig, logLevel } from 'kafkajs';

export function topicConfigs(): ITopicConfig[] {
  const configs: ITopicConfig[] = [];
  for (const spec of TOPIC_SPECS) {
    configs.push({
      topic: spec.name,
      numPartitions: spec.partitions,
      replicationFactor: 1,
      configEntries: spec.compacted
        ? [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'min.compaction.lag.ms', value: '0' },
            { name: 'segment.ms', value: '3600000' },
            // Tombstones (deletions) stay a week before compaction drops them: a projection
            // that falls further behind than that must be rebuilt (make republish-catalog).
            { name: 'delete.retention.ms', value: String(7 * 24 * 3600 * 1000) },
          ]
        : [{ name: 'retention.ms', value: String(7 * 24 * 3600 * 1000) }],
    });
    configs.push({
      topic: deadLetterTopic(spec.name),
      numPartitions: 1,
      replicationFactor: 1,
      configEntries: [{ name: 'retention.ms', value: String(30 * 24 * 3600 * 1000) }],
    });
  }
  for (const schedule of RETRY_SCHEDULES) {
    const partitions = TOPIC_SPECS.find((spec) => spec.name === schedule.topic)?.partitions ?? 1;
    schedule.delaysMs.forEach((_, i) =>
      configs.push({
        topic: retryTopic(schedule.topic, i + 1),
        numPartitions: partitions,
        replicationFactor: 1,
        configEntries: [{ name: 'retention.ms', value: String(7 * 24 * 3600 * 1000) }],
      }),
    );
  }
  return configs;
}

export async function provisionTopics(brokers: string[]): Promise<string[]> {
  const admin = new Kafka({ clientId: 'provision-topics', brokers, logLevel: logLevel.WARN }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const configs = topicConfigs();
    const missing = configs.filter((c) => !existing.has(c.topic));
    if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
    const metadata = await admin.fetchTopicMetadata({ topics: configs.map((c) => c.topic) });
    const grow = configs.filter((c) => {
      const meta = metadata.topics.find((t) => t.name === c.topic);
      return meta && meta.partitions.length < (c.numPartitions ?? 1);
    });
    if (grow.length > 0) {
      await admin.createPartitions({ topicPartitions: grow.map((c) => ({ topic: c.topic, count: c.numPartitions ?? 1 })) });
    }
    return missing.map((c) => c.topic);
  } finally {
    await admin.disconnect();
  }
}

if (require.main === module) {
  const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',');
  provisionTopics(brokers)
    .then((created) => console.log(`[topics] ${created.length ? `created ${created.join(', ')}` : 'all topics exist'}`))
    .catch((error: unknown) => {
      console.error('[topics] failed:', error);
      process.exit(1);
    });
}
