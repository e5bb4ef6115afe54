import { EventOf, Topic, Topics, createEvent, eventKey, parseEvent } from '@app/contracts';
import { Admin, Consumer, Kafka, Producer, logLevel } from 'kafkajs';

/**
 * What end-to-end tests need of Kafka beyond the public contract: producing a service's input
 * directly (to drive one service hard) and reading what was produced since a point in time.
 */
export class KafkaProbe {
  private readonly kafka = new Kafka({ clientId: `e2e-probe-${process.pid}`, brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','), logLevel: logLevel.NOTHING });
  private producer: Producer | null = null;
  private admin: Admin | null = null;

  async produceSendRequests(requests: EventOf<typeof Topics.PromotionSendRequest>['data'][]): Promise<void> {
    this.producer ??= this.kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    const events = requests.map((data) => createEvent(Topics.PromotionSendRequest, 'promotion.send-requested', data));
    await this.producer.send({
      topic: Topics.PromotionSendRequest,
      acks: -1,
      messages: events.map((event) => ({ key: eventKey(Topics.PromotionSendRequest, event), value: JSON.stringify(event) })),
    });
  }

  /** The end offset of every partition: a mark to read from later. */
  async mark(topic: string): Promise<Map<number, string>> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, o.high]));
  }

  /** Raw values produced on `topic` after `mark`, up to now. */
  async readSince(topic: string, mark: Map<number, string>): Promise<Buffer[]> {
    const end = await this.mark(topic);
    const wanted = [...end].filter(([p, high]) => BigInt(high) > BigInt(mark.get(p) ?? '0'));
    if (wanted.length === 0) return [];
    const consumer = this.kafka.consumer({ groupId: `e2e-probe-${process.pid}-${Date.now()}` });
    const values: Buffer[] = [];
    const done = new Set<number>();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    try {
      await this.consume(consumer, topic, mark, end, wanted, values, done);
    } finally {
      await consumer.disconnect();
    }
    return values;
  }

  private consume(consumer: Consumer, topic: string, mark: Map<number, string>, end: Map<number, string>, wanted: [number, string][], values: Buffer[], done: Set<number>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out`)), 60_000);
      consumer
        .run({
          // Batches, not messages: a partition may end with records kafkajs filters out (transaction
          // markers), and only the batch's last offset tells that the end was reached.
          eachBatch: async ({ batch }) => {
            const start = BigInt(mark.get(batch.partition) ?? '0');
            const high = BigInt(end.get(batch.partition) ?? '0');
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (offset >= start && offset < high && message.value) values.push(message.value);
            }
            if (BigInt(batch.lastOffset()) + 1n >= high) done.add(batch.partition);
            if (wanted.every(([p]) => done.has(p))) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
      for (const [partition] of wanted) consumer.seek({ topic, partition, offset: mark.get(partition) ?? '0' });
    });
  }

  async readEventsSince<T extends Topic>(topic: T, mark: Map<number, string>): Promise<EventOf<T>[]> {
    return (await this.readSince(topic, mark)).map((v) => parseEvent(topic, v));
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    await this.admin?.disconnect();
  }
}

