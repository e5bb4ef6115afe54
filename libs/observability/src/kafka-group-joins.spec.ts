import { EventEmitter } from 'node:events';
import { countGroupJoins } from './kafka-group-joins';
import { METRIC_NAMES } from './metric-names';
import { Metrics } from './metrics';

/** What countGroupJoins needs of a kafkajs consumer: its events and `on`. */
function fakeConsumer() {
  const emitter = new EventEmitter();
  return {
    events: { GROUP_JOIN: 'consumer.group_join' },
    on: (event: string, listener: () => void) => emitter.on(event, listener),
    join: () => emitter.emit('consumer.group_join', { type: 'consumer.group_join' }),
  };
}

async function joinsOf(metrics: Metrics): Promise<Record<string, number>> {
  const values = (await metrics.registry.getSingleMetric(METRIC_NAMES.kafkaGroupJoins)?.get())?.values ?? [];
  return Object.fromEntries(values.map((v) => [String(v.labels.group), v.value]));
}

describe('countGroupJoins', () => {
  it('counts every join of each group: one at start, one more per rebalance', async () => {
    const metrics = new Metrics('test');
    const locations = fakeConsumer();
    const catalog = fakeConsumer();
    countGroupJoins(locations as never, metrics, 'geofence-locations');
    countGroupJoins(catalog as never, metrics, 'geofence-catalog');
    expect(await joinsOf(metrics)).toEqual({});
    locations.join();
    catalog.join();
    locations.join();
    locations.join();
    expect(await joinsOf(metrics)).toEqual({ 'geofence-locations': 3, 'geofence-catalog': 1 });
  });
});
