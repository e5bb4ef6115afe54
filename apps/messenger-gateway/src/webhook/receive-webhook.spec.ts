import type { ChannelDirectory } from '@app/channels';
import { HttpErrorFilter } from '@app/http';
import { CoalescingPublisher, EventPublisher, Outgoing, TransientError } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Logger, type ArgumentsHost } from '@nestjs/common';
import type { MessageDedupRepository } from './message-dedup.repository';
import { ReceiveWebhook } from './receive-webhook.usecase';
import { signBody } from './signature';

const channels = { get: async (pageId: string) => ({ pageId, brandId: 'b', version: 1, appSecret: 's', pageAccessToken: 't' }) } as unknown as ChannelDirectory;
const remembered: string[] = [];
const dedup = { seen: async () => new Set<string>(), remember: async (_: string, mids: string[]) => void remembered.push(...mids) } as unknown as MessageDedupRepository;
const raw = Buffer.from(JSON.stringify({ object: 'page', entry: [{ id: 'P', time: 1, messaging: [{ sender: { id: 'S' }, recipient: { id: 'P' }, timestamp: 1, message: { mid: 'm1', text: 'hi' } }] }] }));

function usecase(publishAll: (items: Outgoing[]) => Promise<void>, dedupRepository = dedup, metrics = new Metrics('test')): ReceiveWebhook {
  const publisher = { build: EventPublisher.prototype.build, publishAll } as unknown as EventPublisher;
  return new ReceiveWebhook(channels, dedupRepository, publisher, new CoalescingPublisher(publisher), 200, metrics);
}

function statusOf(error: unknown): number {
  let status = 0;
  // A Fastify reply, as far as the filter uses one.
  const reply = { raw: {}, sent: false, status: (s: number) => ((status = s), reply), header: () => reply, send: () => undefined };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({}) }) } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(error, host);
  return status;
}

describe('ReceiveWebhook when Kafka cannot take the events', () => {
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => (remembered.length = 0));

  it('answers 503 (so Meta retries) when Kafka does not acknowledge in time, and remembers nothing', async () => {
    const hanging = usecase(() => new Promise(() => undefined));
    const error = await hanging.execute({ rawBody: raw, signature256: signBody(raw, 's'), receivedAt: new Date() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(statusOf(error)).toBe(503);
    expect(remembered).toEqual([]);
  });

  it('answers 503 when the produce fails', async () => {
    const failing = usecase(async () => {
      throw Object.assign(new Error('broker gone'), { name: 'KafkaJSConnectionError' });
    });
    const error = await failing.execute({ rawBody: raw, signature256: signBody(raw, 's'), receivedAt: new Date() }).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(503);
  });

  it('remembers the message ids only once Kafka acknowledged', async () => {
    await usecase(async () => undefined).execute({ rawBody: raw, signature256: signBody(raw, 's'), receivedAt: new Date() });
    expect(remembered).toEqual(['m1']);
  });

  it('answers once Kafka acknowledged, without waiting for Redis to remember the ids; a failure there is counted', async () => {
    let failRemember: (error: Error) => void = () => undefined;
    const slowDedup = {
      seen: async () => new Set<string>(),
      remember: () => new Promise<void>((_, reject) => (failRemember = reject)),
    } as unknown as MessageDedupRepository;
    const metrics = new Metrics('test');
    const result = await usecase(async () => undefined, slowDedup, metrics).execute({ rawBody: raw, signature256: signBody(raw, 's'), receivedAt: new Date() });
    expect(result).toEqual({ published: 1, duplicates: 0 });

    failRemember(new Error('Redis gone'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await metrics.registry.metrics()).toContain('webhook_events_total{outcome="not_remembered",app="test"} 1');
  });
});
