/**
 * `make bench-floor`: what the parts every share must pass through cost on this machine, with no
 * logic of ours on top: a kafkajs consumer that only reads (then also validates) location events,
 * a kafkajs producer, and ioredis issuing the Redis commands an evaluation cannot do without.
 * These are floors: no implementation built on these clients can spend less per share, so they
 * bound what one process can reach whatever its own code (BENCHMARKS.md, "Floors"). A benchmark
 * prints figures; it asserts nothing.
 *
 * Usage: node dist/scripts/bench-floor.js   (KAFKA_BROKERS, BENCH_REDIS_URL, FLOOR_MESSAGES, FLOOR_COMMANDS)
 * The topic `bench.floor.<run>` is created with the location topic's partitions and deleted after.
 */
import { EventOf, TOPIC_SPECS, Topics, createEvent, eventKey, parseEvent } from '@app/contracts';
import Redis from 'ioredis';
// Before any client: kafkajs 2.2.4's timer loop, produce grouping and record encoder fixed, and the
// apps' partitioner, as in the apps (libs/kafka request-queue-fix.ts, produce-grouping-fix.ts,
// record-encoding-fix.ts, partitioner.ts).
import '@app/kafka/request-queue-fix';
import '@app/kafka/produce-grouping-fix';
import '@app/kafka/record-encoding-fix';
import { KeyHashPartitioner } from '@app/kafka/partitioner';
import { Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { cpuSecondsOf, redisCpuSeconds } from './bench-cpu';

const MESSAGES = Number(process.env.FLOOR_MESSAGES ?? 200_000);
const COMMANDS = Number(process.env.FLOOR_COMMANDS ?? 200_000);
const IN_FLIGHT = 3_000;
const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',');
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6391/0';
const PARTITIONS = TOPIC_SPECS.find((t) => t.name === Topics.ShopperLocation)?.partitions ?? 6;

const log = (msg: string) => console.log(`[floor] ${msg}`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The Kafka broker's pid (its JVM runs kafka.Kafka), or null when it is not on this machine. */
function brokerPid(): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('kafka.Kafka')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

interface Cost {
  perSec: number;
  nodeUs: number;
  otherUs: number | null;
}

/** Runs `work`, which handles `n` units, and measures the rate and the CPU per unit of this process and of another. */
async function measure(n: number, otherCpu: (() => number) | null, work: () => Promise<void>): Promise<Cost> {
  const other0 = otherCpu?.() ?? 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { perSec: n / seconds, nodeUs: (cpu.user + cpu.system) / n, otherUs: otherCpu ? ((otherCpu() - other0) * 1e6) / n : null };
}

const describe = (c: Cost, other: string) =>
  `${fmt(c.perSec)}/s; node ${c.nodeUs.toFixed(1)} µs${c.otherUs === null ? '' : `, ${other} ${c.otherUs.toFixed(1)} µs`} of CPU each`;

/** Location events as the gateway publishes them (its JSON, its key). */
function locationMessages(count: number): { key: string; value: string }[] {
  const now = Date.now();
  const out: { key: string; value: string }[] = [];
  for (let i = 0; i < count; i++) {
    const sharedAt = new Date(now - (i % 1000)).toISOString();
    const e: EventOf<typeof Topics.ShopperLocation> = createEvent(Topics.ShopperLocation, 'shopper.location-shared', {
      shopperId: `floorpage:p${i % 50_000}`, pageId: 'floorpage', psid: `p${i % 50_000}`, brandId: 'floor-brand',
      lat: 45.76 + (i % 100) * 1e-4, lng: 4.83 + (i % 37) * 1e-4, accuracyM: 12, source: 'messenger', sharedAt, receivedAt: sharedAt, messageId: `m.${i}`,
    });
    out.push({ key: eventKey(Topics.ShopperLocation, e), value: JSON.stringify(e) });
  }
  return out;
}

async function kafkaFloors(): Promise<Record<string, Cost>> {
  const run = randomBytes(3).toString('hex');
  const topic = `bench.floor.${run}`;
  const kafka = new Kafka({ clientId: `floor-${run}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
  const pid = brokerPid();
  const broker = pid ? () => cpuSecondsOf(pid) : null;
  const results: Record<string, Cost> = {};
  try {
    const messages = locationMessages(MESSAGES);
    const producer = kafka.producer({ createPartitioner: KeyHashPartitioner, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // As the gateway's CoalescingPublisher: produce requests of many events, acks from all replicas.
    results.produce = await measure(messages.length, broker, async () => {
      for (let i = 0; i < messages.length; i += 2_000) await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: messages.slice(i, i + 2_000) }] });
    });
    log(`(k1) kafkajs produce, 2,000 events per request, idempotent, acks=all: ${describe(results.produce, 'broker')}`);
    await producer.disconnect();

    // As the geofence's location consumer: eachBatch, 4 MiB per partition, 3 partitions at once.
    const consume = async (label: string, handle: (value: Buffer) => void): Promise<Cost> => {
      const consumer = kafka.consumer({ groupId: `floor-${run}-${label}`, maxBytesPerPartition: 4 * 2 ** 20, maxBytes: 24 * 2 ** 20 });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let seen = 0;
      let done: () => void = () => undefined;
      const all = new Promise<void>((r) => (done = r));
      const cost = await measure(messages.length, broker, async () => {
        await consumer.run({
          partitionsConsumedConcurrently: 3,
          eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
            for (const m of batch.messages) {
              if (m.value) handle(m.value);
              seen++;
            }
            resolveOffset(batch.lastOffset());
            await heartbeat();
            if (seen >= messages.length) done();
          },
        });
        await all;
      });
      await consumer.disconnect();
      return cost;
    };
    let sink = 0;
    results.consume = await consume('raw', (v) => (sink += v.length));
    log(`(k2) kafkajs consume (group join included), nothing done with the value: ${describe(results.consume, 'broker')}`);
    results.consumeParse = await consume('parse', (v) => (sink += (JSON.parse(v.toString()) as { id: string }).id.length));
    log(`(k3) kafkajs consume + JSON.parse of each value: ${describe(results.consumeParse, 'broker')}`);
    results.consumeValidate = await consume('validate', (v) => (sink += parseEvent(Topics.ShopperLocation, v).id.length));
    log(`(k4) kafkajs consume + the contract's validation (parseEvent, zod): ${describe(results.consumeValidate, 'broker')}`);
    if (sink < 0) log('unreachable');
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
  return results;
}

/** Issues `n` units of `unit`, IN_FLIGHT at a time (ioredis auto-pipelining writes each tick's commands together). */
async function saturate(n: number, unit: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < n) await unit(next++);
    }),
  );
}

async function redisFloors(): Promise<Record<string, Cost>> {
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: null });
  const probe = new Redis(redisUrl);
  await redis.flushdb();
  // A cell of a dense city as the geofence files it (the largest set at 100,000 stores has 130
  // members), and per-shopper state of the geofence's size: a last fix and an open visit.
  const cell = 'geo:{b:floor}:c:45:4';
  const members: (string | number)[] = [];
  for (let i = 0; i < 130; i++) members.push(4.83 + (i % 13) * 2e-3, 45.76 + Math.floor(i / 13) * 2e-3, `store-${i}@1`);
  await redis.geoadd(cell, ...members);
  const fix = JSON.stringify({ eventId: 'x'.repeat(36), sharedAtMs: Date.now(), fix: JSON.stringify({ lat: 45.76, lng: 4.83, accuracyM: 12, sharedAtMs: Date.now(), source: 'messenger' }), result: '[]', visitsTtlAt: 0 });
  const visit = JSON.stringify({ visitId: 'y'.repeat(36), enteredAtMs: Date.now(), dwelledSeconds: 0, brandId: 'floor-brand' });
  const pipe = redis.pipeline();
  for (let s = 0; s < 50_000; s++) pipe.set(`fix:{sh:${s}}`, fix).hset(`visits:{sh:${s}}`, 'store-1', visit);
  await pipe.exec();
  const sha = (await redis.script('LOAD', 'return 1')) as string;

  // redis-server's CPU comes from INFO (asynchronous), read on a connection of its own.
  const run = async (unit: (i: number) => Promise<unknown>): Promise<Cost> => {
    const r0 = await redisCpuSeconds(probe);
    const cost = await measure(COMMANDS, null, () => saturate(COMMANDS, unit));
    cost.otherUs = (((await redisCpuSeconds(probe)) - r0) * 1e6) / COMMANDS;
    return cost;
  };
  const results: Record<string, Cost> = {};
  results.get = await run((i) => redis.get(`fix:{sh:${i % 50_000}}`));
  log(`(r1) ioredis GET of a 200-byte value, auto-pipelined, ${fmt(IN_FLIGHT)} in flight: ${describe(results.get, 'redis-server')}`);
  results.geosearch = await run((i) => redis.geosearch(cell, 'FROMLONLAT', 4.83 + (i % 50) * 1e-3, 45.77, 'BYRADIUS', 300, 'm'));
  log(`(r2) ioredis GEOSEARCH 300 m in a 130-member cell: ${describe(results.geosearch, 'redis-server')}`);
  results.evalsha = await run(() => redis.evalsha(sha, 0));
  log(`(r3) ioredis EVALSHA of a script returning 1: ${describe(results.evalsha, 'redis-server')}`);
  // The least an evaluation asks of Redis: the shopper's last fix and open visits, the candidate
  // stores, and the new last fix written back.
  results.evaluation = await run(async (i) => {
    const s = i % 50_000;
    await Promise.all([redis.get(`fix:{sh:${s}}`), redis.hgetall(`visits:{sh:${s}}`), redis.geosearch(cell, 'FROMLONLAT', 4.83 + (i % 50) * 1e-3, 45.77, 'BYRADIUS', 300, 'm')]);
    await redis.set(`fix:{sh:${s}}`, fix, 'EX', 14_400);
  });
  log(`(r4) the commands one evaluation cannot do without (GET fix, HGETALL visits, GEOSEARCH, then SET fix): ${describe(results.evaluation, 'redis-server')} (per evaluation)`);
  await redis.flushdb();
  redis.disconnect();
  probe.disconnect();
  return results;
}

async function main(): Promise<void> {
  log(`machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}; ${fmt(MESSAGES)} Kafka messages, ${fmt(COMMANDS)} Redis units per measure`);
  const kafka = await kafkaFloors();
  const redis = await redisFloors();
  const round = (c: Cost) => ({ perSec: Math.round(c.perSec), nodeUs: Number(c.nodeUs.toFixed(1)), otherUs: c.otherUs === null ? null : Number(c.otherUs.toFixed(1)) });
  console.log(JSON.stringify({ kafka: Object.fromEntries(Object.entries(kafka).map(([k, c]) => [k, round(c)])), redis: Object.fromEntries(Object.entries(redis).map(([k, c]) => [k, round(c)])) }));
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(`bench-floor failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
