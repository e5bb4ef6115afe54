import type { EventPublisher, ProduceObserver } from '@app/kafka';
import { METRIC_NAMES } from './metric-names';
import { Metrics } from './metrics';
import { ProduceMetrics } from './produce-metrics';

describe('ProduceMetrics', () => {
  it('records each produce request\'s duration by outcome and its events', async () => {
    let observer: ProduceObserver | undefined;
    const publisher = { observeRequests: (o: ProduceObserver) => (observer = o) } as unknown as EventPublisher;
    const metrics = new Metrics('test');
    new ProduceMetrics(metrics, publisher).onModuleInit();
    observer?.(40, 0.03, 'acknowledged');
    observer?.(3, 0.2, 'failed');

    const text = await metrics.registry.metrics();
    expect(text).toContain(`${METRIC_NAMES.kafkaProduceRequest}_count{app="test",outcome="acknowledged"} 1`);
    expect(text).toContain(`${METRIC_NAMES.kafkaProduceRequest}_bucket{le="0.05",app="test",outcome="acknowledged"} 1`);
    expect(text).toContain(`${METRIC_NAMES.kafkaProduceRequest}_bucket{le="0.1",app="test",outcome="failed"} 0`);
    expect(text).toContain(`${METRIC_NAMES.kafkaProduceRequestEvents}_sum{app="test"} 43`);
  });

  it('does nothing in an app without a producer', () => {
    const metrics = new Metrics('sim');
    expect(() => new ProduceMetrics(metrics).onModuleInit()).not.toThrow();
  });
});
