import type { Message, PartitionMetadata } from 'kafkajs';
import { replaceKafkajsModule } from './kafkajs-module-cache';

type Partitioner = (args: { topic: string; partitionMetadata: PartitionMetadata[]; message: Message }) => number;
type Grouping = (args: { topic: string; partitionMetadata: PartitionMetadata[]; messages: Message[]; partitioner: Partitioner }) => Record<number, Message[]>;

/**
 * The messages of one topic of a produce request, by the partition the producer's partitioner
 * gives each, in their order: what kafkajs's `groupMessagesPerPartition` returns. kafkajs 2.2.4
 * builds it by copying the partition's whole array for every message (`[...current, message]`),
 * so a request of n messages costs O(n²) copies: a request of the geofence's transitions
 * allocated about 4.7 kB per message that way, the largest allocation of its Kafka path
 * (BENCHMARKS.md, 4 December). This pushes onto each partition's array once.
 */
export const groupMessagesPerPartition: Grouping = ({ topic, partitionMetadata, messages, partitioner }) => {
  const grouped: Record<number, Message[]> = {};
  if (partitionMetadata.length === 0) return grouped;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (grouped[partition] ??= []).push(message);
  }
  return grouped;
};

const MODULE = 'kafkajs/src/producer/groupMessagesPerPartition';
const USER = 'kafkajs/src/producer/sendMessages';

/**
 * Puts the linear grouping above in place of kafkajs's, in Node's module cache, before kafkajs's
 * producer loads it (sendMessages.js takes it once, when it is first required): this library's
 * index exports this first (produce-grouping-fix.spec.ts checks it), and every app imports the
 * library before anything loads kafkajs (test/e2e/kafkajs-fixes.e2e-spec.ts checks each built
 * app; one that loaded kafkajs first would run kafkajs's own grouping: correct, only slower).
 * Only for the kafkajs version it was written for. Returns whether kafkajs's producer uses it: false if the
 * producer was loaded first or the version differs.
 */
export function fixProduceGrouping(): boolean {
  return replaceKafkajsModule(MODULE, USER, (cached) => cached === groupMessagesPerPartition, () => groupMessagesPerPartition);
}

fixProduceGrouping();
