/**
 * Metric names shared across apps and read by the Grafana dashboard (k8s/base/grafana) and the
 * deploy tests. App-specific metrics (decisions, sends, Send API latency…) are named where they
 * are registered; a name used by more than one place lives here.
 */
export const METRIC_NAMES = {
  /** Kafka events handled, by topic and outcome (processed, retried, dead_lettered). */
  kafkaEventsConsumed: 'kafka_events_consumed_total',
  /** Messages of a partition not yet consumed by the app's group: high watermark − committed offset. */
  kafkaConsumerLag: 'kafka_consumer_lag',
  /** HTTP requests by method, route and status, and their duration. */
  httpRequests: 'http_server_requests_total',
  httpRequestDuration: 'http_server_request_duration_seconds',
  /**
   * Seconds messenger-delivery waited for a Page's send budget before calling the Send API
   * (histogram; the per-Page rate limiter registers it with this name).
   */
  rateLimitWait: 'messenger_rate_limit_wait_seconds',
} as const;
