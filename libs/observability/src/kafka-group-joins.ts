import type { Consumer } from 'kafkajs';
import type { Counter } from 'prom-client';
import { METRIC_NAMES } from './metric-names';
import { Metrics } from './metrics';

/**
 * kafka_consumer_group_joins_total{group}. A member joins once when it starts; a count that keeps
 * rising between deploys means its group keeps rebalancing: a member starved for longer than the
 * 10 s session (libs/kafka SESSION_TIMEOUT_MS) is dropped and joins again, and each rebalance
 * pauses the group's partitions for a moment.
 */
export function groupJoinsCounter(metrics: Metrics): Counter<string> {
  return metrics.counter(METRIC_NAMES.kafkaGroupJoins, 'Times a consumer joined its group (once at start, then once per rebalance), by group', ['group']);
}

/** Counts the consumer's joins of its group (groupJoinsCounter). */
export function countGroupJoins(consumer: Pick<Consumer, 'on' | 'events'>, metrics: Metrics, group: string): void {
  const joins = groupJoinsCounter(metrics);
  consumer.on(consumer.events.GROUP_JOIN, () => joins.inc({ group }));
}
