/**
 * Where a share's latency goes, stage by stage, read from the apps' own Prometheus histograms:
 * `make bench` scrapes them when phase 1 starts and once it is over, and the difference of the two
 * scrapes is phase 1's distribution. Quantiles are estimated within a bucket by linear
 * interpolation, as Prometheus's histogram_quantile does, so they are as coarse as the buckets.
 */

/** One histogram series: its buckets' upper bounds (s) and cumulative counts. */
export interface Buckets {
  le: number[];
  counts: number[];
}

/** A stage of a promotion's path and the histogram series that times it. */
export interface StageSeries {
  stage: string;
  app: 'gateway' | 'geofence' | 'engine' | 'delivery';
  metric: string;
  /** Labels the series must carry (besides `app` and `le`). */
  labels: Record<string, string>;
}

/** In path order: webhook in, location queued and evaluated, transition decided, send request sent. */
export const PROMOTION_PATH: StageSeries[] = [
  { stage: 'gateway: webhook request (HTTP in → events acknowledged by Kafka → 200)', app: 'gateway', metric: 'http_server_request_duration_seconds', labels: { method: 'POST', route: '/webhooks/messenger' } },
  { stage: 'gateway: one produce request of webhooks\' events (sent → acknowledged by Kafka)', app: 'gateway', metric: 'kafka_produce_request_seconds', labels: { outcome: 'acknowledged' } },
  { stage: 'geofence: location waits in Kafka and in the consumer', app: 'geofence', metric: 'kafka_consume_wait_seconds', labels: { topic: 'shopper.location.v1' } },
  { stage: 'geofence: one chunk of locations evaluated and its transitions produced', app: 'geofence', metric: 'kafka_chunk_handle_seconds', labels: { topic: 'shopper.location.v1' } },
  { stage: 'engine: transition waits in Kafka and in the consumer', app: 'engine', metric: 'kafka_consume_wait_seconds', labels: { topic: 'geofence.transition.v1' } },
  { stage: 'engine: one chunk of transitions decided and its send requests produced', app: 'engine', metric: 'kafka_chunk_handle_seconds', labels: { topic: 'geofence.transition.v1' } },
  { stage: 'delivery: send request waits in Kafka and in the consumer', app: 'delivery', metric: 'kafka_consume_wait_seconds', labels: { topic: 'promotion.send-request.v1' } },
  { stage: 'delivery: one chunk of send requests sent', app: 'delivery', metric: 'kafka_chunk_handle_seconds', labels: { topic: 'promotion.send-request.v1' } },
  { stage: 'delivery: wait for the Page\'s send budget', app: 'delivery', metric: 'messenger_rate_limit_wait_seconds', labels: { outcome: 'sent' } },
  { stage: 'delivery: Send API call (the simulator)', app: 'delivery', metric: 'send_api_latency_seconds', labels: { outcome: 'ok' } },
];

/** `name{labels} value` lines of a Prometheus text exposition. */
const SAMPLE = /^([a-zA-Z_:][\w:]*)\{([^}]*)\}\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** The `_bucket` series of one histogram whose labels include `labels`, or null when absent. */
export function bucketsOf(exposition: string, metric: string, labels: Record<string, string>): Buckets | null {
  const byLe = new Map<number, number>();
  for (const line of exposition.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m || m[1] !== `${metric}_bucket`) continue;
    const found: Record<string, string> = {};
    for (const l of m[2].matchAll(LABEL)) found[l[1]] = l[2];
    if (!Object.entries(labels).every(([k, v]) => found[k] === v) || found.le === undefined) continue;
    const le = found.le === '+Inf' ? Infinity : Number(found.le);
    byLe.set(le, (byLe.get(le) ?? 0) + Number(m[3]));
  }
  if (byLe.size === 0) return null;
  const le = [...byLe.keys()].sort((a, b) => a - b);
  return { le, counts: le.map((l) => byLe.get(l) ?? 0) };
}

/** after − before (the same buckets); a series absent before counts from zero. */
export function difference(after: Buckets, before: Buckets | null): Buckets {
  return { le: after.le, counts: after.counts.map((c, i) => c - (before?.counts[i] ?? 0)) };
}

/** The q-quantile (0..1) in seconds, interpolated within its bucket; null without observations. */
export function quantile(b: Buckets, q: number): number | null {
  const total = b.counts[b.counts.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < b.le.length; i += 1) {
    if (b.counts[i] < rank) continue;
    const upper = b.le[i];
    const lower = i === 0 ? 0 : b.le[i - 1];
    // Above the last finite bound nothing is known but the bound itself.
    if (!Number.isFinite(upper)) return lower;
    const below = i === 0 ? 0 : b.counts[i - 1];
    const inBucket = b.counts[i] - below;
    return inBucket === 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
  }
  return b.le[b.le.length - 2] ?? null;
}

export interface StageTiming {
  stage: string;
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export type Expositions = Record<StageSeries['app'], string>;

/** Each stage's distribution between two scrapes of every app. */
export function stageTimings(before: Expositions, after: Expositions, path = PROMOTION_PATH): StageTiming[] {
  const ms = (s: number | null) => (s === null ? null : Math.round(s * 1000));
  return path.map((s) => {
    const b = bucketsOf(after[s.app], s.metric, s.labels);
    if (!b) return { stage: s.stage, count: 0, p50Ms: null, p95Ms: null, p99Ms: null };
    const d = difference(b, bucketsOf(before[s.app], s.metric, s.labels));
    return { stage: s.stage, count: d.counts[d.counts.length - 1] ?? 0, p50Ms: ms(quantile(d, 0.5)), p95Ms: ms(quantile(d, 0.95)), p99Ms: ms(quantile(d, 0.99)) };
  });
}
