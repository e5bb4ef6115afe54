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
  /**
   * Seconds from a record's timestamp (set by its producer) to its hand-over to the batch
   * consumer's use case, by topic (histogram): the stage's queueing, whatever the commit interval
   * does to the lag gauge. The broker's and the consumer's clocks are one machine's here; across
   * machines the difference is their clocks' skew.
   */
  kafkaConsumeWait: 'kafka_consume_wait_seconds',
  /** Seconds a batch consumer's use case took over one chunk, by topic (histogram). */
  kafkaChunkHandle: 'kafka_chunk_handle_seconds',
  /**
   * Times a consumer joined its group, by group: once when it starts; every other join is a
   * rebalance (a replica came or went, the broker failed over, or the member was dropped for not
   * heartbeating within the 10 s session and joined again).
   */
  kafkaGroupJoins: 'kafka_consumer_group_joins_total',
  /**
   * Seconds from a produce request's sending to the broker's acknowledgement, by outcome
   * (acknowledged, failed), and the events each carried (histograms). A webhook is answered only
   * after its events' request is acknowledged.
   */
  kafkaProduceRequest: 'kafka_produce_request_seconds',
  kafkaProduceRequestEvents: 'kafka_produce_request_events',
  /** HTTP requests by method, route and status, and their duration. */
  httpRequests: 'http_server_requests_total',
  httpRequestDuration: 'http_server_request_duration_seconds',
  /**
   * Seconds messenger-delivery waited for a Page's send budget before calling the Send API
   * (histogram; the per-Page rate limiter registers it with this name).
   */
  rateLimitWait: 'messenger_rate_limit_wait_seconds',
} as const;
