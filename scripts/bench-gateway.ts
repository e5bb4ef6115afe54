/**
 * `make bench-gateway`: what one webhook costs the gateway, against what the same HTTP exchange
 * costs a bare node:http server on this machine in the same minutes. Phase 1 of `make bench`
 * sends about 700 webhooks a second of one or two events each (20 Pages, 10 ms ticks), so the
 * gateway's cost per request, not per event, decides how much of the two cores it takes there.
 *
 * Against the bench stack (scripts/bench-gateway.sh starts it): one brand and Page, then
 * WARMUP_SECONDS at RATE, not measured (a fresh broker costs more while its JIT compiles: after
 * 4,000 webhooks of warm-up it took 1,175 µs per webhook, after 30–120 s 600–850 µs, against
 * 105–132 µs for a broker that had run for minutes), then RATE signed
 * webhooks per second for SECONDS, each carrying EVENTS location shares of distinct shoppers
 * (every one published to shopper.location.v1 and evaluated by the geofence, as in production).
 * It reads the gateway's and the broker's CPU from /proc over the measured part, and the answers'
 * latency. Then two floors, each a child process answering the same requests under the same load
 * with what any webhook receiver must do (read the body, HMAC-SHA256 it, JSON.parse it, answer
 * 200): node:http alone, and a minimal Nest app on Fastify (one controller, the raw body kept), the
 * platform the apps run on. The gap between the two is the HTTP framework's own cost per request;
 * the gap between the second and the gateway is the gateway's (its middlewares, logs, metrics,
 * traces, and its use case: Redis, Kafka). The floors run when the stack is idle, while the
 * gateway's figure includes the broker and the geofence handling its events on the same two cores,
 * as in production. A benchmark prints figures; it asserts nothing.
 *
 * Usage: make bench-gateway   (RATE 500, SECONDS 20, EVENTS 1, WARMUP_SECONDS 30)
 * Ends with one JSON line:
 *   {"webhooksPerSec":…,"eventsPerWebhook":…,"gatewayUsPerWebhook":…,"brokerUsPerWebhook":…,
 *    "floorUsPerRequest":…,"nestFloorUsPerRequest":…,"p50Ms":…,"p99Ms":…,"refused":…}
 */
import { StackClient, stackUrls } from '@app/testing';
import { Controller, HttpCode, Module, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { fork } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { brokerPid, cpuSecondsOf } from './bench-cpu';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const RATE = env('RATE', 500);
const SECONDS = env('SECONDS', 20);
const EVENTS = env('EVENTS', 1);
const WARMUP_SECONDS = env('WARMUP_SECONDS', 30);
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? process.env.PORT_BASE ?? 3100);
const FLOOR_PORT = env('FLOOR_PORT', PORT_BASE + 50);
const ROOT = join(__dirname, '..', '..');
const STACK = process.env.STACK ?? 'bench';

const log = (line: string) => console.log(`[bench-gateway] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Target {
  url: string;
  appSecret: string;
  pageId: string;
}

interface Measured {
  sent: number;
  refused: number;
  seconds: number;
  latenciesMs: number[];
}

const agent = new Agent({ keepAliveTimeout: 30_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
const run = randomBytes(3).toString('hex');
let shares = 0;

function webhook(target: Target): { raw: string; signature: string } {
  const messaging = [];
  for (let i = 0; i < EVENTS; i += 1) {
    shares += 1;
    const psid = `gw${run}${shares % 100_000}`;
    const lat = 45.764 + (shares % 1000) * 1e-5;
    messaging.push({
      sender: { id: psid }, recipient: { id: target.pageId }, timestamp: Date.now(),
      message: { mid: `m_${run}_${shares}`, attachments: [{ type: 'location', title: 'Pinned location', payload: { coordinates: { lat, long: 4.8357 } } }] },
    });
  }
  const raw = JSON.stringify({ object: 'page', entry: [{ id: target.pageId, time: Date.now(), messaging }] });
  return { raw, signature: `sha256=${createHmac('sha256', target.appSecret).update(raw).digest('hex')}` };
}

/** Sends `count` webhooks at `rate` per second, on schedule whatever the answers (open loop). */
async function send(target: Target, count: number, rate: number): Promise<Measured> {
  const latenciesMs: number[] = [];
  let refused = 0;
  let inFlight = 0;
  const one = async () => {
    inFlight += 1;
    const { raw, signature } = webhook(target);
    const started = performance.now();
    try {
      const r = await request(target.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body: raw, dispatcher: agent });
      await r.body.dump();
      if (r.statusCode !== 200) refused += 1;
    } catch {
      refused += 1;
    }
    latenciesMs.push(performance.now() - started);
    inFlight -= 1;
  };
  const t0 = performance.now();
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - t0) * rate) / 1000));
    for (; sent < due; sent += 1) void one();
    await sleep(2);
  }
  while (inFlight > 0) await sleep(5);
  return { sent, refused, seconds: (performance.now() - t0) / 1000, latenciesMs };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** Runs the measured part against `target`, with the CPU of `pid` (and the broker's) read around it. */
async function measure(target: Target, pid: number, broker: number | null) {
  const cpu0 = cpuSecondsOf(pid);
  const broker0 = broker ? cpuSecondsOf(broker) : NaN;
  const m = await send(target, RATE * SECONDS, RATE);
  const sorted = m.latenciesMs.sort((a, b) => a - b);
  return {
    ...m,
    usPerRequest: ((cpuSecondsOf(pid) - cpu0) * 1e6) / m.sent,
    brokerUsPerRequest: broker ? ((cpuSecondsOf(broker) - broker0) * 1e6) / m.sent : NaN,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
  };
}

/** The floor: node:http reading, verifying and parsing each webhook, in a child process of its own. */
function floorServer(): void {
  const secret = process.env.FLOOR_SECRET ?? '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const ok = createHmac('sha256', secret).update(raw).digest('hex') === String(req.headers['x-hub-signature-256']).slice(7);
      JSON.parse(raw.toString('utf8'));
      res.writeHead(ok ? 200 : 403, { 'content-type': 'text/plain' });
      res.end(ok ? 'EVENT_RECEIVED' : 'bad signature');
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(FLOOR_PORT, '127.0.0.1', () => process.send?.('listening'));
}

@Controller('webhooks/messenger')
class FloorController {
  @Post()
  @HttpCode(200)
  receive(@Req() req: RawBodyRequest<FastifyRequest>): string {
    const raw = req.rawBody ?? Buffer.alloc(0);
    createHmac('sha256', process.env.FLOOR_SECRET ?? '').update(raw).digest('hex');
    JSON.parse(raw.toString('utf8'));
    return 'EVENT_RECEIVED';
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

/** The second floor: Nest on Fastify with nothing of ours, as the apps are made (rawBody on). */
async function nestFloorServer(): Promise<void> {
  const app = await NestFactory.create(FloorModule, new FastifyAdapter(), { rawBody: true, logger: false });
  await app.listen(FLOOR_PORT, '127.0.0.1');
  process.send?.('listening');
}

/** Starts a floor server in a child process and measures it under the same load as the gateway. */
async function measureFloor(kind: '--floor' | '--nest-floor', target: Target) {
  const child = fork(__filename, [kind], { env: { ...process.env, FLOOR_SECRET: target.appSecret } });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the floor server exited (${String(code)})`)));
    });
    const floorTarget = { ...target, url: `http://127.0.0.1:${FLOOR_PORT}/webhooks/messenger` };
    await send(floorTarget, RATE * 5, RATE);
    return await measure(floorTarget, child.pid ?? 0, null);
  } finally {
    child.kill();
    await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  const urls = stackUrls(PORT_BASE);
  const client = new StackClient(urls, process.env.ADMIN_TOKEN ?? 'dev-admin-token');
  const pidFile = join(ROOT, '.run', STACK, 'pids', 'messenger-gateway.pid');
  const gatewayPid = Number(readFileSync(pidFile, 'utf8').trim());

  const brand = await client.createBrand(`Gateway bench ${run}`);
  const target: Target = { url: `${urls.gateway}/webhooks/messenger`, pageId: `gwbench${run}`, appSecret: randomBytes(16).toString('hex') };
  await client.connectPage(brand.apiKey, { pageId: target.pageId, accessToken: `EAAgw${randomBytes(12).toString('hex')}`, appSecret: target.appSecret, verifyToken: randomBytes(10).toString('hex') });
  log(`load average before: ${loadavg()[0].toFixed(2)}; ${RATE} webhooks/s of ${EVENTS} location share(s) each for ${SECONDS} s, after ${WARMUP_SECONDS} s unmeasured`);

  await send(target, RATE * WARMUP_SECONDS, RATE);
  const gateway = await measure(target, gatewayPid, brokerPid(ROOT));
  log(`gateway: ${fmt(gateway.sent)} webhooks in ${gateway.seconds.toFixed(1)} s, ${fmt(gateway.refused)} not answered 200; ` +
    `${fmt(gateway.usPerRequest)} µs of the gateway's CPU and ${fmt(gateway.brokerUsPerRequest)} µs of the broker's per webhook; ` +
    `answered in p50 ${gateway.p50Ms.toFixed(1)} / p99 ${gateway.p99Ms.toFixed(1)} ms`);

  const floor = await measureFloor('--floor', target);
  log(`floor, node:http (read, HMAC, JSON.parse, 200): ${fmt(floor.usPerRequest)} µs per request, ${fmt(floor.refused)} not answered 200`);
  const nestFloor = await measureFloor('--nest-floor', target);
  log(`floor, Nest on Fastify (the same in one controller): ${fmt(nestFloor.usPerRequest)} µs per request, ${fmt(nestFloor.refused)} not answered 200`);
  log(`the gateway costs ${(gateway.usPerRequest / floor.usPerRequest).toFixed(1)} × the node:http floor and ${(gateway.usPerRequest / nestFloor.usPerRequest).toFixed(1)} × Nest's per webhook; load average after: ${loadavg()[0].toFixed(2)}`);

  console.log(JSON.stringify({
    webhooksPerSec: Math.round(gateway.sent / gateway.seconds),
    eventsPerWebhook: EVENTS,
    gatewayUsPerWebhook: Math.round(gateway.usPerRequest),
    brokerUsPerWebhook: Math.round(gateway.brokerUsPerRequest),
    floorUsPerRequest: Math.round(floor.usPerRequest),
    nestFloorUsPerRequest: Math.round(nestFloor.usPerRequest),
    p50Ms: Number(gateway.p50Ms.toFixed(2)),
    p99Ms: Number(gateway.p99Ms.toFixed(2)),
    refused: gateway.refused,
  }));
}

if (process.argv.includes('--floor')) {
  floorServer();
} else if (process.argv.includes('--nest-floor')) {
  void nestFloorServer();
} else {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
