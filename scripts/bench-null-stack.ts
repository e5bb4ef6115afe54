/**
 * `make bench-null-stack`: the whole pipeline of `make bench` with none of the apps' logic, to show
 * what the machine can carry at best (issue 7, BENCHMARKS.md "The null stack"). Six node processes
 * stand where the six apps stand and do only what any implementation on the project's clients
 * must do for a share, with the apps' client settings:
 * - gateway: node:http, reads the webhook, checks its HMAC-SHA256, parses it, produces a location
 *   and an interaction event per share (idempotent producer, acks=all, requests lingering 5 ms),
 *   answers 200 once the broker acknowledged;
 * - geofence: consumes locations in batches (6 partitions at once), JSON.parse, one Redis pipeline
 *   per batch with a GEOSEARCH and a SET per share, produces a transition for the shares the load
 *   generator marked inside (10 %);
 * - engine: consumes transitions and produces a send request each; consumes interactions and SETs
 *   the shopper's last interaction (one pipeline per batch);
 * - delivery: consumes send requests, claims each in Redis (SET NX), POSTs it to the sink over a
 *   keep-alive pool, produces a receipt; consumes interactions (JSON.parse);
 * - brand-api: consumes interactions and receipts (JSON.parse; the real one also writes stats to
 *   PostgreSQL, left out here);
 * - sink (the simulator's place): node:http answers each send with 200 and records its latency
 *   from the share's webhook.
 * No validation, no state machine, no rules, no logs, metrics or traces. What this stack cannot
 * carry, the real one cannot either, whatever its code.
 *
 * The load generator (this process, as in make bench) sends signed webhooks from 200,000 shoppers
 * of 20 Pages, each 10 ms tick's shares of a Page in one webhook, open loop, in steps of STEPS
 * shares/s (default 1000,2000,3000,4000,5000,6000), STEP_SECONDS each (30), after WARMUP_SECONDS
 * (30) at 500/s. For each step: shares
 * accepted per second (gateway answered 200), sends received at the sink per second, p50/p95/p99
 * from webhook to sink for every accepted inside share (waiting up to 60 s after the step for the late ones), and the CPU of every process, the broker and Redis.
 * Needs the broker (make infra) and a private redis-server (BENCH_REDIS_URL; the make target starts
 * one). Prints a table, then one JSON line. A benchmark: it asserts nothing.
 */
import '@app/kafka/request-queue-fix';
import '@app/kafka/produce-grouping-fix';
import '@app/kafka/record-encoding-fix';
import { KeyHashPartitioner } from '@app/kafka/partitioner';
import Redis from 'ioredis';
import { Consumer, EachBatchPayload, Kafka, Producer, logLevel } from 'kafkajs';
import { ChildProcess, fork } from 'node:child_process';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { brokerPid, cpuSecondsOf, machineCpuSeconds, redisCpuSeconds } from './bench-cpu';

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',');
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6393/0';
const run = process.env.NULL_RUN ?? randomBytes(3).toString('hex');
const topic = (name: string) => `null-${run}.${name}`;
const TOPICS = ['location', 'interaction', 'transition', 'send', 'receipt'];
const PARTITIONS = 6;
const SECRET = 'null-stack-app-secret';
const PAGES = 20;
const SHOPPERS = 200_000;
const GATEWAY_PORT = Number(process.env.NULL_GATEWAY_PORT ?? 3291);
const SINK_PORT = Number(process.env.NULL_SINK_PORT ?? 3292);
const GEO_KEY = 'geo:{null}';
/** NULL_ON_PATH_LINGER_MS: on-path consumers too wait for 64 KiB or this many ms per fetch (an experiment; the apps do not). */
const ON_PATH_LINGER_MS = Number(process.env.NULL_ON_PATH_LINGER_MS ?? 0);

const log = (line: string) => console.log(`[null-stack] ${line}`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The apps' producer settings (libs/kafka kafka-options.ts). */
function producerOf(kafka: Kafka): Producer {
  return kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1, createPartitioner: KeyHashPartitioner });
}

/**
 * A consumer group of its own on `name`, as the apps' batch consumers (libs/kafka batch-consumer.ts,
 * kafka-options.ts) configure theirs: fetches held up to 1 s when idle, offsets committed at most
 * once a second (not kafkajs's commit after every batch), `offPath` readers fetching once 32 KiB
 * are waiting or 250 ms passed (OFF_PATH_FETCH), 3 partitions at once (the geofence 6).
 */
async function consume(kafka: Kafka, name: string, group: string, handle: (values: string[]) => Promise<void>, options: { offPath?: boolean; concurrently?: number } = {}): Promise<Consumer> {
  const fetch = options.offPath ? { minBytes: 32 * 1024, maxWaitTimeInMs: 250 } : ON_PATH_LINGER_MS > 0 ? { minBytes: 64 * 1024, maxWaitTimeInMs: ON_PATH_LINGER_MS } : { maxWaitTimeInMs: 1_000 };
  const consumer = kafka.consumer({ groupId: `null-${run}-${group}`, sessionTimeout: 10_000, heartbeatInterval: 1_000, ...fetch });
  await consumer.connect();
  await consumer.subscribe({ topic: topic(name), fromBeginning: true });
  let committedAt = 0;
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: options.concurrently ?? 3,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, uncommittedOffsets }: EachBatchPayload) => {
      await handle(batch.messages.map((m) => m.value?.toString() ?? '{}'));
      resolveOffset(batch.lastOffset());
      if (Date.now() - committedAt >= 1_000) {
        committedAt = Date.now();
        await commitOffsetsIfNecessary(uncommittedOffsets());
      }
    },
  });
  return consumer;
}

/** A role's Kafka client, a connected producer and a Redis connection. */
async function clientsOf(role: string): Promise<{ kafka: Kafka; redis: Redis; producer: Producer }> {
  const kafka = new Kafka({ clientId: `null-${role}`, brokers, logLevel: logLevel.NOTHING });
  const producer = producerOf(kafka);
  await producer.connect();
  return { kafka, redis: new Redis(redisUrl), producer };
}

interface Share {
  shopper: string;
  lat: number;
  lng: number;
  inside: boolean;
  sentAt: number;
}

async function gateway(): Promise<void> {
  const kafka = new Kafka({ clientId: 'null-gateway', brokers, logLevel: logLevel.NOTHING });
  const producer = producerOf(kafka);
  await producer.connect();
  type Pending = { locations: { key: string; value: string }[]; interactions: { key: string; value: string }[]; waiters: ((ok: boolean) => void)[] };
  let pending: Pending | null = null;
  const flush = async (batch: Pending) => {
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic: topic('location'), messages: batch.locations }, { topic: topic('interaction'), messages: batch.interactions }] });
    for (const w of batch.waiters) w(true);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`);
      const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401).end();
        return;
      }
      const body = JSON.parse(raw.toString()) as { entry: { messaging: Share[] }[] };
      if (!pending) {
        const batch: Pending = { locations: [], interactions: [], waiters: [] };
        pending = batch;
        setTimeout(() => {
          pending = null;
          flush(batch).catch(() => batch.waiters.forEach((w) => w(false)));
        }, 5);
      }
      for (const share of body.entry[0].messaging) {
        const value = JSON.stringify({ id: randomUUID(), type: 'shopper.location-shared', data: share });
        pending.locations.push({ key: share.shopper, value });
        pending.interactions.push({ key: share.shopper, value: JSON.stringify({ id: randomUUID(), type: 'shopper.interacted', data: { shopper: share.shopper, at: share.sentAt } }) });
      }
      pending.waiters.push((ok) => (ok ? res.writeHead(200, { 'content-type': 'text/plain' }).end('EVENT_RECEIVED') : res.writeHead(503).end()));
    });
  });
  server.listen(GATEWAY_PORT, '127.0.0.1', () => process.send?.('ready'));
}

async function geofence(): Promise<void> {
  const { kafka, redis, producer } = await clientsOf('geofence');
  await consume(kafka, 'location', 'geofence', async (values) => {
    const shares = values.map((v) => (JSON.parse(v) as { data: Share }).data);
    const pipeline = redis.pipeline();
    for (const s of shares) {
      pipeline.geosearch(GEO_KEY, 'FROMLONLAT', s.lng, s.lat, 'BYRADIUS', 300, 'm', 'ASC', 'COUNT', 20);
      pipeline.set(`fix:{${s.shopper}}`, JSON.stringify(s), 'EX', 7200);
    }
    await pipeline.exec();
    const inside = shares.filter((s) => s.inside);
    if (inside.length > 0) {
      await producer.send({ topic: topic('transition'), acks: -1, messages: inside.map((s) => ({ key: s.shopper, value: JSON.stringify({ id: randomUUID(), type: 'geofence.entered', data: s }) })) });
    }
  }, { concurrently: PARTITIONS });
  process.send?.('ready');
}

async function engine(): Promise<void> {
  const { kafka, redis, producer } = await clientsOf('engine');
  await consume(kafka, 'transition', 'engine', async (values) => {
    const messages = values.map((v) => {
      const { data } = JSON.parse(v) as { data: Share };
      return { key: data.shopper, value: JSON.stringify({ id: randomUUID(), type: 'promotion.send-requested', data }) };
    });
    await producer.send({ topic: topic('send'), acks: -1, messages });
  });
  await consume(kafka, 'interaction', 'engine-interactions', async (values) => {
    const pipeline = redis.pipeline();
    for (const v of values) {
      const { data } = JSON.parse(v) as { data: { shopper: string; at: number } };
      pipeline.set(`last:{${data.shopper}}`, String(data.at), 'EX', 86_400);
    }
    await pipeline.exec();
  });
  process.send?.('ready');
}

async function delivery(): Promise<void> {
  const { kafka, redis, producer } = await clientsOf('delivery');
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 32 });
  await consume(kafka, 'send', 'delivery', async (values) => {
    const sends = values.map((v) => JSON.parse(v) as { id: string; data: Share });
    const pipeline = redis.pipeline();
    for (const s of sends) pipeline.set(`sent:{${s.data.shopper}}:${s.id}`, '1', 'EX', 86_400, 'NX');
    await pipeline.exec();
    await Promise.all(
      sends.map(async (s) => {
        const r = await request(`http://127.0.0.1:${SINK_PORT}/v19.0/me/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ recipient: { id: s.data.shopper }, messaging_type: 'RESPONSE', message: { text: 'offer' }, sentAt: s.data.sentAt }),
          dispatcher: agent,
        });
        await r.body.text();
      }),
    );
    await producer.send({ topic: topic('receipt'), acks: -1, messages: sends.map((s) => ({ key: s.data.shopper, value: JSON.stringify({ id: randomUUID(), type: 'promotion.delivered', data: { sendId: s.id } }) })) });
  });
  await consume(kafka, 'interaction', 'delivery-interactions', async (values) => {
    for (const v of values) JSON.parse(v);
  }, { offPath: true });
  process.send?.('ready');
}

async function brandApi(): Promise<void> {
  const kafka = new Kafka({ clientId: 'null-brand-api', brokers, logLevel: logLevel.NOTHING });
  const parseAll = async (values: string[]) => {
    for (const v of values) JSON.parse(v);
  };
  await consume(kafka, 'interaction', 'brand-api-interactions', parseAll, { offPath: true });
  await consume(kafka, 'receipt', 'brand-api-receipts', parseAll, { offPath: true });
  process.send?.('ready');
}

function sink(): void {
  const latencies: number[] = [];
  createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { sentAt: number; recipient: { id: string } };
      latencies.push(Date.now() - body.sentAt);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ recipient_id: body.recipient.id, message_id: `m_${randomUUID()}` }));
    });
  }).listen(SINK_PORT, '127.0.0.1', () => process.send?.('ready'));
  // The parent asks for the latencies recorded since it last asked.
  process.on('message', () => process.send?.(latencies.splice(0)));
}

// ------------------------------------------------------------------------------------------------
// The load generator and the measurement.

const ROLES = { gateway, geofence, engine, delivery, 'brand-api': brandApi, sink } as const;
type Role = keyof typeof ROLES;

const webhookAgent = new Agent({ keepAliveTimeout: 30_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
const counters = { sent: 0, accepted: 0, acceptedInside: 0, refused: 0, inFlight: 0, skipped: 0, webhooks: 0 };
const MAX_IN_FLIGHT = 4_000;

async function post(page: number, shares: Share[]): Promise<void> {
  counters.inFlight += 1;
  counters.webhooks += 1;
  try {
    const raw = JSON.stringify({ object: 'page', entry: [{ id: `page-${page}`, time: Date.now(), messaging: shares }] });
    const r = await request(`http://127.0.0.1:${GATEWAY_PORT}/webhooks/messenger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}` },
      body: raw,
      dispatcher: webhookAgent,
    });
    await r.body.dump();
    if (r.statusCode === 200) {
      counters.accepted += shares.length;
      counters.acceptedInside += shares.filter((s) => s.inside).length;
    }
    else counters.refused += shares.length;
  } catch {
    counters.refused += shares.length;
  } finally {
    counters.inFlight -= 1;
  }
}

/**
 * Sends `rate` shares a second for `seconds` as make bench does: each 10 ms tick, the shares due
 * are queued by their shopper's Page (20 Pages) and each Page with shares gets one webhook of them
 * (at 1,000/s mostly one share per webhook, at 5,000/s two or three).
 */
async function load(rate: number, seconds: number): Promise<void> {
  const t0 = performance.now();
  let due = 0;
  while (performance.now() - t0 < seconds * 1000) {
    const target = Math.floor(((performance.now() - t0) * rate) / 1000);
    const byPage = new Map<number, Share[]>();
    for (; due < target; due++) {
      const n = counters.sent + counters.skipped + 1;
      const shopper = (n * 7919) % SHOPPERS;
      const page = shopper % PAGES;
      if (counters.inFlight >= MAX_IN_FLIGHT && !byPage.has(page)) {
        counters.skipped++;
        continue;
      }
      counters.sent++;
      const shares = byPage.get(page) ?? [];
      shares.push({ shopper: `s${shopper}`, lat: 45.76 + (n % 1000) * 1e-5, lng: 4.83, inside: n % 10 === 0, sentAt: Date.now() });
      byPage.set(page, shares);
    }
    for (const [page, shares] of byPage) void post(page, shares);
    await sleep(10);
  }
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const role = process.argv[2] as Role | undefined;
  if (role) {
    await ROLES[role]();
    return;
  }
  const steps = (process.env.STEPS ?? '1000,2000,3000,4000,5000,6000').split(',').map(Number);
  const stepSeconds = Number(process.env.STEP_SECONDS ?? 30);
  const warmupSeconds = Number(process.env.WARMUP_SECONDS ?? 30);
  const kafka = new Kafka({ clientId: 'null-admin', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: TOPICS.map((t) => ({ topic: topic(t), numPartitions: PARTITIONS, replicationFactor: 1 })), waitForLeaders: true });
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  // One brand's stores in one cell, as the largest GEO set of make bench-geofence (about 100 members).
  for (let i = 0; i < 100; i++) await redis.geoadd(GEO_KEY, 4.83 + (i % 10) * 0.001, 45.76 + Math.floor(i / 10) * 0.001, `store-${i}`);

  const children = new Map<Role, ChildProcess>();
  const env = { ...process.env, NULL_RUN: run, BENCH_REDIS_URL: redisUrl, NODE_ENV: 'production' };
  try {
    for (const r of ['sink', 'gateway', 'geofence', 'engine', 'delivery', 'brand-api'] as Role[]) {
      const child = fork(__filename, [r], { env, execArgv: ['--max-old-space-size=128'] });
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`${r} exited (${String(code)})`)));
      });
      children.set(r, child);
    }
    const sinkLatencies = () => new Promise<number[]>((resolve) => { children.get('sink')!.once('message', (m) => resolve(m as number[])); children.get('sink')!.send('latencies'); });
    const broker = brokerPid(join(__dirname, '..', '..'));
    log(`run ${run}: six processes up; warm-up ${warmupSeconds} s at 500 shares/s`);
    await load(500, warmupSeconds);
    await sleep(3000);
    await sinkLatencies();

    const rows: Record<string, number>[] = [];
    for (const rate of steps) {
      const before = { ...counters };
      const cpu0 = new Map([...children].map(([r, c]) => [r, cpuSecondsOf(c.pid!)]));
      const self0 = process.cpuUsage();
      const broker0 = broker ? cpuSecondsOf(broker) : NaN;
      const redis0 = await redisCpuSeconds(redis);
      const machine0 = machineCpuSeconds().busy;
      const t0 = performance.now();
      await load(rate, stepSeconds);
      const seconds = (performance.now() - t0) / 1000;
      // The webhooks sent in the step count once answered (the tail answers just after it).
      for (let i = 0; i < 100 && counters.inFlight > 0; i++) await sleep(100);
      const accepted = counters.accepted - before.accepted;
      const machineCores = Number(((machineCpuSeconds().busy - machine0) / ((performance.now() - t0) / 1000)).toFixed(2));
      const us = (cpuSeconds: number) => Math.round((cpuSeconds * 1e6) / Math.max(1, accepted));
      const cpu: Record<string, number> = {};
      for (const [r, c] of children) cpu[`${r}UsPerShare`] = us(cpuSecondsOf(c.pid!) - cpu0.get(r)!);
      const self = process.cpuUsage(self0);
      cpu.loadGeneratorUsPerShare = us((self.user + self.system) / 1e6);
      cpu.brokerUsPerShare = broker ? us(cpuSecondsOf(broker) - broker0) : NaN;
      cpu.redisUsPerShare = us((await redisCpuSeconds(redis)) - redis0);
      // Every accepted inside share's send, however late (up to 60 s after the step): its latency counts.
      const expected = counters.acceptedInside - before.acceptedInside;
      const received: number[] = [];
      for (let i = 0; i < 120 && received.length < expected; i++) {
        received.push(...(await sinkLatencies()));
        if (received.length < expected) await sleep(500);
      }
      const latencies = received.sort((a, b) => a - b);
      const row: Record<string, number> = {
        offeredPerSec: rate,
        acceptedPerSec: Math.round(accepted / seconds),
        sinkPerSec: Math.round(latencies.length / seconds),
        notAtSink: expected - latencies.length,
        refused: counters.refused - before.refused,
        skipped: counters.skipped - before.skipped,
        sharesPerWebhook: Number(((counters.sent - before.sent) / Math.max(1, counters.webhooks - before.webhooks)).toFixed(2)),
        p50Ms: quantile(latencies, 0.5),
        p95Ms: quantile(latencies, 0.95),
        p99Ms: quantile(latencies, 0.99),
        machineCores,
        ...cpu,
      };
      rows.push(row);
      log(`${fmt(rate)}/s offered: ${fmt(row.acceptedPerSec)}/s accepted, ${fmt(row.sinkPerSec)} sends/s at the sink (${fmt(row.notAtSink)} never), p50/p95/p99 ${row.p50Ms}/${row.p95Ms}/${row.p99Ms} ms, ${row.machineCores} cores busy, ${row.sharesPerWebhook} shares per webhook, refused ${row.refused}, not sent (${MAX_IN_FLIGHT} in flight) ${row.skipped}`);
      log(`  µs per accepted share: ${Object.entries(row).filter(([k]) => k.endsWith('UsPerShare')).map(([k, v]) => `${k.replace('UsPerShare', '')} ${v}`).join(', ')}`);
      // A pause between steps, so each starts from an idle stack.
      await sleep(3000);
      await sinkLatencies();
    }
    const sustained = rows.filter((r) => r.acceptedPerSec >= 0.97 * r.offeredPerSec && r.skipped === 0 && r.refused === 0 && r.notAtSink === 0).map((r) => r.offeredPerSec);
    console.log(JSON.stringify({ run, stepSeconds, maxSustainedPerSec: Math.max(0, ...sustained), steps: rows }));
  } finally {
    for (const c of children.values()) c.kill('SIGKILL');
    await admin.deleteTopics({ topics: TOPICS.map(topic) }).catch(() => undefined);
    await admin.disconnect();
    redis.disconnect();
  }
}

main()
  .then(() => {
    if (!process.argv[2]) process.exit(0);
  })
  .catch((error: unknown) => {
    console.error(`null stack failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
