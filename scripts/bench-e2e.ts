/**
 * `make bench`: the whole stack under load, through the real webhook path with valid signatures.
 *
 * Seeds BRANDS brands × STORES_PER_BRAND stores (bulk import) with 3 active offers each, makes
 * SHOPPERS shoppers say hello, then runs two phases of location shares sent as Meta would send
 * them (signed webhooks, a few events per request, via the simulator so it knows the shoppers):
 *   1. a fixed rate (RATE, default 1,000 shares/s) for latency: share sent → Send API call
 *      received at the simulator (p50, p95, p99);
 *   2. open loop at the highest rate the stack takes, for MAX_SECONDS (default 60).
 * About INSIDE_SHARE (10 %) of shares are inside a fence, each by a shopper who never shared
 * before, so each must yield exactly one promotion: the rest are shares near home, outside.
 * Writes bench/results/latest.json (merged with other benches' figures) and a summary with a chart.
 */
import { StackClient, http, stackUrls, waitFor } from '@app/testing';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const BRANDS = env('BRANDS', 20);
const STORES_PER_BRAND = env('STORES_PER_BRAND', 5000);
const SHOPPERS = env('SHOPPERS', 200_000);
const RATE = env('RATE', 1000);
const RATE_SECONDS = env('RATE_SECONDS', 30);
const MAX_SECONDS = env('MAX_SECONDS', 60);
const INSIDE_SHARE = env('INSIDE_SHARE', 0.1);
const EVENTS_PER_WEBHOOK = env('EVENTS_PER_WEBHOOK', 10);
const PORT_BASE = env('PORT_BASE', 3000);
const RESULTS = process.env.BENCH_RESULTS ?? join(__dirname, '..', '..', 'bench', 'results');

const urls = stackUrls(PORT_BASE);
const client = new StackClient(urls, process.env.ADMIN_TOKEN ?? 'dev-admin-token');
const run = randomBytes(3).toString('hex');

// Cities the brands' stores are spread over (dense centres, sparse around).
const CITIES = [
  [48.8566, 2.3522], [45.764, 4.8357], [43.2965, 5.3698], [43.6047, 1.4442], [43.7102, 7.262],
  [47.2184, -1.5536], [48.5734, 7.7521], [43.6119, 3.8772], [44.8378, -0.5792], [50.6292, 3.0573],
];

interface Store { id: string; lat: number; lng: number; radiusM: number }
interface Brand { pageId: string; stores: Store[]; city: [number, number] }
interface Shopper { brand: number; psid: string; home: { lat: number; lng: number }; shares: number }

const metresToLat = (m: number) => m / 111_320;
const metresToLng = (m: number, lat: number) => m / (111_320 * Math.cos((lat * Math.PI) / 180));

function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

async function seedBrand(i: number): Promise<Brand> {
  const brand = await client.createBrand(`Bench brand ${i} ${run}`);
  const pageId = `bench${run}${i}`;
  await client.connectPage(brand.apiKey, { pageId, accessToken: `EAAbench${randomBytes(12).toString('hex')}`, appSecret: randomBytes(16).toString('hex'), verifyToken: randomBytes(10).toString('hex') });
  const city = CITIES[i % CITIES.length] as [number, number];
  const stores: Store[] = [];
  const batch = 2500;
  for (let from = 0; from < STORES_PER_BRAND; from += batch) {
    const input = [];
    for (let k = from; k < Math.min(STORES_PER_BRAND, from + batch); k += 1) {
      const spreadM = k % 5 === 0 ? 40_000 : 6_000; // a fifth in the countryside
      const lat = city[0] + metresToLat(gaussian() * spreadM);
      const lng = city[1] + metresToLng(gaussian() * spreadM, city[0]);
      input.push({ externalId: `s${k}`, name: `Store ${k}`, location: { lat, lng }, geofence: { type: 'circle', radiusM: 50 + (k % 4) * 25 }, timezone: 'Europe/Paris' });
    }
    const report = await http<{ rejected: unknown[] }>('POST', `${urls.brandApi}/v1/stores/bulk`, { stores: input }, brand.apiKey);
    if (report.status !== 200 || report.body.rejected.length > 0) {
      throw new Error(`bulk import failed: ${report.status} ${JSON.stringify(report.body).slice(0, 300)}`);
    }
  }
  // The import report counts; read the stores back for their ids.
  let cursor: string | undefined;
  do {
    const page = await http<{ items: { id: string; location: { lat: number; lng: number }; geofence: { radiusM: number } }[]; nextCursor: string | null }>(
      'GET', `${urls.brandApi}/v1/stores?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, brand.apiKey);
    for (const s of page.body.items) stores.push({ id: s.id, lat: s.location.lat, lng: s.location.lng, radiusM: s.geofence.radiusM });
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  for (let o = 0; o < 3; o += 1) {
    await client.createOffer(brand.apiKey, {
      name: `Offer ${o}`, message: { title: `Bench offer ${o}` }, priority: o,
      startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), status: 'active',
    });
  }
  return { pageId, stores, city };
}

type Messaging = Record<string, unknown>;
const queue = new Map<string, Messaging[]>();
let inFlight = 0;

async function flush(pageId: string): Promise<void> {
  const events = queue.get(pageId);
  if (!events || events.length === 0) return;
  queue.set(pageId, []);
  inFlight += 1;
  try {
    const body = { object: 'page', entry: [{ id: pageId, time: Date.now(), messaging: events }] };
    const r = await http('POST', `${urls.sim}/__sim/pages/${pageId}/webhook`, body);
    if (r.status !== 200) stats.webhookErrors += 1;
  } catch {
    stats.webhookErrors += 1;
  } finally {
    inFlight -= 1;
  }
}

function enqueue(pageId: string, event: Messaging): void {
  const events = queue.get(pageId) ?? [];
  events.push(event);
  queue.set(pageId, events);
  if (events.length >= EVENTS_PER_WEBHOOK) void flush(pageId);
}

const stats = { webhookErrors: 0 };
const expected = new Map<string, number>(); // `${pageId}:${psid}` → share time (ms)
const sharesPerSecond = new Map<number, number>();
let totalShares = 0;

function share(brands: Brand[], shopper: Shopper, inside: Store | null): void {
  const now = Date.now();
  let lat: number;
  let lng: number;
  if (inside) {
    lat = inside.lat + metresToLat((Math.random() - 0.5) * inside.radiusM * 0.5);
    lng = inside.lng + metresToLng((Math.random() - 0.5) * inside.radiusM * 0.5, inside.lat);
    expected.set(`${brands[shopper.brand].pageId}:${shopper.psid}`, now);
  } else {
    lat = shopper.home.lat + metresToLat((Math.random() - 0.5) * 40);
    lng = shopper.home.lng + metresToLng((Math.random() - 0.5) * 40, shopper.home.lat);
  }
  shopper.shares += 1;
  totalShares += 1;
  const pageId = brands[shopper.brand].pageId;
  enqueue(pageId, {
    sender: { id: shopper.psid }, recipient: { id: pageId }, timestamp: now,
    message: { mid: `m_${run}_${shopper.psid}_${shopper.shares}`, attachments: [{ type: 'location', payload: { coordinates: { lat, long: lng } } }] },
  });
  const second = Math.floor(now / 1000);
  sharesPerSecond.set(second, (sharesPerSecond.get(second) ?? 0) + 1);
}

async function main(): Promise<void> {
  console.log(`seeding ${BRANDS} brands × ${STORES_PER_BRAND} stores, 3 offers each…`);
  const seedStart = Date.now();
  const brands: Brand[] = [];
  for (let i = 0; i < BRANDS; i += 1) brands.push(await seedBrand(i));
  console.log(`seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

  // Shoppers live away from the stores' fences (a share "at home" is outside every fence).
  const shoppers: Shopper[] = [];
  for (let k = 0; k < SHOPPERS; k += 1) {
    const b = k % BRANDS;
    const [clat, clng] = brands[b].city;
    shoppers.push({ brand: b, psid: `p${run}${k}`, home: { lat: clat + metresToLat(gaussian() * 20_000) + 0.5, lng: clng + metresToLng(gaussian() * 20_000, clat) }, shares: 0 });
  }
  console.log(`${SHOPPERS} shoppers say hello…`);
  for (const s of shoppers) {
    const pageId = brands[s.brand].pageId;
    enqueue(pageId, { sender: { id: s.psid }, recipient: { id: pageId }, timestamp: Date.now() - 60_000, message: { mid: `m_${run}_${s.psid}_hello`, text: 'bonjour' } });
    while (inFlight > 64) await new Promise((r) => setTimeout(r, 2));
  }
  for (const b of brands) await flush(b.pageId);
  await waitFor('hellos to be taken', async () => inFlight === 0, 120_000, 50);
  await new Promise((r) => setTimeout(r, 5000)); // let the engine see the hellos

  let fresh = 0; // next shopper who never shared
  const reused = () => shoppers[Math.floor(Math.random() * shoppers.length)];
  const pickInside = (): [Shopper, Store] => {
    const s = shoppers[fresh++ % shoppers.length];
    const stores = brands[s.brand].stores;
    return [s, stores[Math.floor(Math.random() * stores.length)]];
  };
  const oneShare = () => {
    if (Math.random() < INSIDE_SHARE) {
      const [s, store] = pickInside();
      share(brands, s, store);
    } else {
      share(brands, reused(), null);
    }
  };

  console.log(`phase 1: ${RATE} shares/s for ${RATE_SECONDS} s`);
  const phase1Start = Date.now();
  const tick = 10;
  for (let t = 0; t < RATE_SECONDS * 1000; t += tick) {
    const due = Math.round(((t + tick) * RATE) / 1000) - Math.round((t * RATE) / 1000);
    for (let i = 0; i < due; i += 1) oneShare();
    for (const b of brands) void flush(b.pageId);
    const wait = phase1Start + t + tick - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const phase1End = Date.now();
  const phase1Expected = new Map(expected);

  console.log(`phase 2: open loop for ${MAX_SECONDS} s`);
  const phase2Start = Date.now();
  const sharesBeforePhase2 = totalShares;
  while (Date.now() - phase2Start < MAX_SECONDS * 1000) {
    for (let i = 0; i < EVENTS_PER_WEBHOOK * BRANDS; i += 1) oneShare();
    for (const b of brands) void flush(b.pageId);
    while (inFlight > 48) await new Promise((r) => setImmediate(r));
  }
  for (const b of brands) await flush(b.pageId);
  await waitFor('the last webhooks to be taken', async () => inFlight === 0, 120_000, 50);
  const phase2End = Date.now();

  console.log('waiting until quiet…');
  let lastCount = -1;
  const sends = new Map<string, number[]>();
  await waitFor('the stack to be quiet', async () => {
    sends.clear();
    let count = 0;
    for (const b of brands) {
      const r = await http<{ sends: { recipientId: string; receivedAt: string; body: { message?: { attachment?: { payload?: { template_type?: string } } } } }[] }>('GET', `${urls.sim}/__sim/pages/${b.pageId}/sends`);
      for (const s of r.body.sends ?? []) {
        if (s.body.message?.attachment?.payload?.template_type !== 'generic') continue; // promotions only
        const key = `${b.pageId}:${s.recipientId}`;
        sends.set(key, [...(sends.get(key) ?? []), Date.parse(s.receivedAt)]);
        count += 1;
      }
    }
    const quiet = count === lastCount && count >= expected.size;
    const stalled = count === lastCount;
    lastCount = count;
    return quiet || (stalled && Date.now() - phase2End > 60_000);
  }, 600_000, 5000);

  let delivered = 0;
  let duplicates = 0;
  const latencies: number[] = [];
  const latencyBySecond = new Map<number, number[]>();
  for (const [key, at] of expected) {
    const got = sends.get(key) ?? [];
    if (got.length > 0) {
      delivered += 1;
      if (phase1Expected.has(key)) latencies.push(got[0] - at);
      const second = Math.floor(at / 1000);
      latencyBySecond.set(second, [...(latencyBySecond.get(second) ?? []), got[0] - at]);
    }
    duplicates += Math.max(0, got.length - 1);
  }
  for (const key of sends.keys()) if (!expected.has(key)) duplicates += sends.get(key)!.length; // sends nobody should have got
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : null);
  const phase2Shares = totalShares - sharesBeforePhase2;
  const e2e = {
    sharesPerSec: Math.round(phase2Shares / ((phase2End - phase2Start) / 1000)),
    atRatePerSec: RATE,
    p50Ms: pct(50), p95Ms: pct(95), p99Ms: pct(99),
    promotionsDelivered: delivered, expectedPromotions: expected.size,
    lost: expected.size - delivered, duplicates,
    webhookErrors: stats.webhookErrors,
    phase1Seconds: (phase1End - phase1Start) / 1000,
    phase2Seconds: (phase2End - phase2Start) / 1000,
    brands: BRANDS, storesPerBrand: STORES_PER_BRAND, shoppers: SHOPPERS,
  };
  console.log(JSON.stringify({ e2e }));

  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, 'latest.json');
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  // rssMb is added by scripts/bench-e2e.sh once this process has finished.
  writeFileSync(file, `${JSON.stringify({ ...previous, e2e, measuredAt: new Date().toISOString() }, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'e2e-timeseries.json'), JSON.stringify({
    shares: [...sharesPerSecond.entries()].sort((a, b) => a[0] - b[0]),
    p99: [...latencyBySecond.entries()].sort((a, b) => a[0] - b[0]).map(([s, l]) => [s, l.sort((a, b) => a - b)[Math.floor(0.99 * (l.length - 1))]]),
  }));
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
