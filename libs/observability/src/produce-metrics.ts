import { EventPublisher } from '@app/kafka';
import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { METRIC_NAMES } from './metric-names';
import { Metrics } from './metrics';

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const EVENTS_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000];

/**
 * The app's produce requests as metrics (METRIC_NAMES.kafkaProduceRequest*): how long the broker
 * takes to acknowledge them and how many events each carries (KAFKA_LINGER_MS and the
 * CoalescingPublisher decide that). An app without a Kafka producer (the simulator) has none.
 */
@Injectable()
export class ProduceMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    @Optional() private readonly publisher?: EventPublisher,
  ) {}

  onModuleInit(): void {
    if (!this.publisher) return;
    const seconds = this.metrics.histogram(
      METRIC_NAMES.kafkaProduceRequest,
      'Seconds from a produce request\'s sending to the broker\'s acknowledgement, by outcome',
      ['outcome'],
      SECONDS_BUCKETS,
    );
    const events = this.metrics.histogram(METRIC_NAMES.kafkaProduceRequestEvents, 'Events carried by one produce request', [], EVENTS_BUCKETS);
    this.publisher.observeRequests((n, s, outcome) => {
      seconds.observe({ outcome }, s);
      events.observe(n);
    });
  }
}
