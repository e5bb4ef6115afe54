import { randomBytes } from 'node:crypto';
import type { ICustomPartitioner } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** The 32-bit word of `bytes` at i (little-endian), as murmur2 reads it. */
const word = (at: (i: number) => number, i: number): number => at(i) | (at(i + 1) << 8) | (at(i + 2) << 16) | (at(i + 3) << 24);

function murmur2Of(length: number, at: (i: number) => number): number {
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = Math.imul(word(at, i), M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= at(whole + 2) << 16;
    if (rest >= 2) h ^= at(whole + 1) << 8;
    h ^= at(whole);
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * Kafka's murmur2 of a key, as the Java client and kafkajs's DefaultPartitioner compute it (the
 * same 32-bit result, so every key keeps its partition), in 32-bit integer arithmetic: kafkajs
 * computes it with a 64-bit Long object per step, and building those was one of the largest
 * allocations of the geofence's Kafka path (BENCHMARKS.md, 4 December). A string key of ASCII
 * characters is hashed as it is; any other string is hashed as its UTF-8 bytes, as Kafka does.
 */
export function murmur2(key: Buffer | string): number {
  if (typeof key !== 'string') return murmur2Of(key.length, (i) => key[i]);
  const text = key;
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) ascii = text.charCodeAt(i) < 0x80;
  if (ascii) return murmur2Of(text.length, (i) => text.charCodeAt(i));
  const bytes = Buffer.from(text, 'utf8');
  return murmur2Of(bytes.length, (i) => bytes[i]);
}

const toPositive = (x: number): number => x & 0x7fffffff;

/**
 * kafkajs's DefaultPartitioner, decision for decision: the message's own partition if it names
 * one; else the key's murmur2 modulo the topic's partitions (the Java client's choice, so a key
 * lands where any Kafka client puts it); else round robin over the partitions that have a leader.
 * Without its per-message costs: kafkajs filters the partition list and hashes with 64-bit Long
 * objects for every message. Every producer of this project uses it (kafkaServerOptions,
 * kafkaProducerOptions and the apps' own kafkajs producers).
 */
export const KeyHashPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const partitions = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined) return toPositive(murmur2(message.key)) % partitions;
    const next = (counters.get(topic) ?? randomBytes(4).readUInt32BE(0)) + 1;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    return available.length > 0 ? available[toPositive(next) % available.length].partitionId : toPositive(next) % partitions;
  };
};
