import { REJOIN_DELAY_MS } from '@app/kafka';
import type { EventPublisher, KafkaSettings } from '@app/kafka';
import { HealthRegistry, Metrics } from '@app/observability';
import type { DeliverPromotion } from '../sending/deliver-promotion.usecase';
import { RetryTopicsConsumer } from './retry-topics.consumer';

type Listener = (event: { payload: Record<string, unknown> }) => void;

/** The one kafkajs consumer the class makes: records its calls and lets the test fire its events. */
const fake = {
  listeners: new Map<string, Listener[]>(),
  connect: jest.fn<Promise<void>, []>(),
  subscribe: jest.fn<Promise<void>, [unknown]>(),
  run: jest.fn<Promise<void>, [unknown]>(),
  disconnect: jest.fn<Promise<void>, []>(),
  emit(event: string, payload: Record<string, unknown>): void {
    for (const listener of this.listeners.get(event) ?? []) listener({ payload });
  },
};

jest.mock('kafkajs', () => ({
  ...jest.requireActual<object>('kafkajs'),
  Kafka: jest.fn().mockImplementation(() => ({
    consumer: () => ({
      events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', STOP: 'consumer.stop' },
      on: (event: string, listener: Listener) => fake.listeners.set(event, [...(fake.listeners.get(event) ?? []), listener]),
      connect: () => fake.connect(),
      subscribe: (arg: unknown) => fake.subscribe(arg),
      run: (arg: unknown) => fake.run(arg),
      disconnect: () => fake.disconnect(),
    }),
  })),
}));

const settings = { brokers: ['localhost:9092'], groupPrefix: 'test-' } as KafkaSettings;

async function started(): Promise<{ consumer: RetryTopicsConsumer; healthy: () => Promise<unknown> }> {
  const health = new HealthRegistry();
  const consumer = new RetryTopicsConsumer(settings, {} as DeliverPromotion, {} as EventPublisher, health, new Metrics('retry-spec'));
  await consumer.onApplicationBootstrap();
  const probe = health.entries().find(([name]) => name === 'kafka-retry-consumer')?.[1];
  if (!probe) throw new Error('no health probe registered');
  return { consumer, healthy: async () => probe() };
}

describe('RetryTopicsConsumer', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    fake.listeners.clear();
    for (const fn of [fake.connect, fake.subscribe, fake.run, fake.disconnect]) fn.mockReset().mockResolvedValue(undefined);
  });
  afterEach(() => jest.useRealTimers());

  it('joins again after a crash kafkajs will not restart from (a broker restart), and is healthy once joined', async () => {
    const { healthy } = await started();
    fake.emit('consumer.group_join', {});
    expect(await healthy()).toBe(true);
    expect(fake.run).toHaveBeenCalledTimes(1);

    fake.emit('consumer.crash', { error: new Error('Failed to find group coordinator'), restart: false });
    expect(await healthy()).toBe(false);
    await jest.advanceTimersByTimeAsync(REJOIN_DELAY_MS);
    expect(fake.connect).toHaveBeenCalledTimes(2);
    expect(fake.subscribe).toHaveBeenCalledTimes(2);
    expect(fake.run).toHaveBeenCalledTimes(2);
    fake.emit('consumer.group_join', {});
    expect(await healthy()).toBe(true);
  });

  it('does not join again once the app is shutting down', async () => {
    const { consumer } = await started();
    await consumer.beforeApplicationShutdown();
    fake.emit('consumer.crash', { error: new Error('Failed to find group coordinator'), restart: false });
    await jest.advanceTimersByTimeAsync(REJOIN_DELAY_MS * 3);
    expect(fake.run).toHaveBeenCalledTimes(1);
    expect(fake.disconnect).toHaveBeenCalledTimes(1);
  });
});
