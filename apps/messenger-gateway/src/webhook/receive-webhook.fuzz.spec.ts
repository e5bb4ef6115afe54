import type { ChannelDirectory } from '@app/channels';
import { AnyEvent, Topic, parseEvent } from '@app/contracts';
import { DomainError } from '@app/http';
import { CoalescingPublisher, EventPublisher, Outgoing } from '@app/kafka';
import { Metrics } from '@app/observability';
import fc from 'fast-check';
import type { MessageDedupRepository } from './message-dedup.repository';
import { ReceiveWebhook } from './receive-webhook.usecase';
import { signBody } from './signature';

/**
 * Fuzzing the webhook with random bodies, headers and signatures, half of them correctly signed
 * so that they get past the signature into the mapper: the use case either accepts or refuses
 * with a 4xx domain error (never anything that would be a 5xx or a crash), and every event it
 * hands to Kafka matches its topic's contract. The HTTP-level twin runs against the real
 * gateway in test/e2e/messenger-gateway.e2e-spec.ts.
 */
const SECRET = 'fuzz-app-secret';
const channels = {
  get: async (pageId: string) => (pageId === 'PAGE1' || pageId === 'PAGE2' ? { pageId, brandId: 'brand-1', version: 1, appSecret: SECRET, pageAccessToken: 't' } : null),
} as unknown as ChannelDirectory;
const memory = new Set<string>();
const dedup = {
  seen: async (pageId: string, mids: string[]) => new Set(mids.filter((m) => memory.has(`${pageId}:${m}`))),
  remember: async (pageId: string, mids: string[]) => mids.forEach((m) => memory.add(`${pageId}:${m}`)),
} as unknown as MessageDedupRepository;

class CheckingPublisher {
  published: AnyEvent[] = [];
  build = EventPublisher.prototype.build;
  async publishAll(items: Outgoing[]): Promise<void> {
    for (const { topic, event } of items) {
      parseEvent(topic as Topic, JSON.parse(JSON.stringify(event)));
      this.published.push(event);
    }
  }
}

const id = fc.oneof(fc.constantFrom('PAGE1', 'PAGE2', 'PSID1', 'x:y', '', 'é'), fc.string({ maxLength: 140 }));
const anyJson = fc.jsonValue({ maxDepth: 3 });
const messaging = fc.record(
  {
    sender: fc.oneof(fc.record({ id }), anyJson),
    recipient: fc.oneof(fc.record({ id: fc.constantFrom('PAGE1', 'PAGE2') }), anyJson),
    timestamp: fc.oneof(fc.integer({ min: 0, max: 2e12 }), fc.double(), fc.constant(1e300), anyJson),
    message: fc.oneof(
      fc.record(
        {
          mid: fc.oneof(fc.string({ maxLength: 20 }), anyJson),
          text: fc.oneof(fc.constantFrom('STOP', 'ARRÊT', 'deals near me', 'x'.repeat(5000)), fc.string(), anyJson),
          is_echo: fc.boolean(),
          quick_reply: fc.record({ payload: fc.oneof(fc.string({ maxLength: 5000 }), anyJson) }),
          attachments: fc.array(
            fc.record({
              type: fc.constantFrom('location', 'image', 'fallback'),
              payload: fc.oneof(fc.record({ coordinates: fc.record({ lat: fc.double(), long: fc.double() }) }), anyJson),
            }),
            { maxLength: 3 },
          ),
        },
        { requiredKeys: [] },
      ),
      anyJson,
    ),
    postback: fc.record({ title: fc.string(), payload: fc.oneof(fc.string({ maxLength: 5000 }), anyJson), mid: fc.string() }, { requiredKeys: [] }),
    delivery: fc.record({ mids: fc.array(fc.string()), watermark: fc.oneof(fc.integer(), fc.double(), anyJson) }, { requiredKeys: [] }),
    read: fc.record({ watermark: fc.oneof(fc.integer(), fc.double()) }),
    optin: fc.record({ type: fc.string(), notification_messages_status: fc.constantFrom('STOP_NOTIFICATIONS', 'RESUME_NOTIFICATIONS', 'x') }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const webhookLike = fc.record(
  {
    object: fc.oneof(fc.constant('page'), anyJson),
    entry: fc.oneof(
      fc.array(fc.record({ id: fc.oneof(fc.constantFrom('PAGE1', 'PAGE2'), id), time: fc.oneof(fc.integer(), anyJson), messaging: fc.oneof(fc.array(messaging, { maxLength: 4 }), anyJson) }, { requiredKeys: [] }), { maxLength: 3 }),
      anyJson,
    ),
  },
  { requiredKeys: [] },
);
// Close to what Meta sends, with random values where it matters, so that many get published.
const plausibleEvent = fc.record({
  sender: fc.record({ id: fc.constantFrom('PSID1', 'u_2-x', 'bad psid!', '') }),
  recipient: fc.record({ id: fc.constantFrom('PAGE1', 'PAGE2') }),
  timestamp: fc.integer({ min: 0, max: 4e12 }),
  message: fc.record({
    mid: fc.string({ minLength: 1, maxLength: 12 }),
    text: fc.oneof(fc.constantFrom('STOP', 'arrêt', 'promos près de moi', 'START'), fc.string({ maxLength: 6000 })),
    attachments: fc.array(fc.record({ type: fc.constantFrom('location', 'image'), payload: fc.record({ coordinates: fc.record({ lat: fc.double(), long: fc.double() }) }) }), { maxLength: 2 }),
  }, { requiredKeys: ['mid'] }),
});
const plausible = fc.array(plausibleEvent, { minLength: 1, maxLength: 5 }).map((events) => ({ object: 'page', entry: [{ id: 'PAGE1', time: 1, messaging: events }, { id: 'PAGE2', time: 2, messaging: events }] }));

const rawBody = fc.oneof(
  plausible.map((w) => Buffer.from(JSON.stringify(w))),
  webhookLike.map((w) => Buffer.from(JSON.stringify(w))),
  fc.string().map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
);
const signature = (body: Buffer) =>
  fc.oneof(
    fc.constant(signBody(body, SECRET)),
    fc.constant(signBody(body, SECRET).toUpperCase()),
    fc.constant(`sha1=${'0'.repeat(40)}`),
    fc.constant(undefined),
    fc.string(),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => `sha256=${Buffer.from(a).toString('hex')}`),
  );

describe('ReceiveWebhook under fuzzing', () => {
  it('never fails with anything but a 4xx domain error, and publishes only valid events', async () => {
    const publisher = new CheckingPublisher();
    const usecase = new ReceiveWebhook(channels, dedup, publisher as unknown as EventPublisher, new CoalescingPublisher(publisher as unknown as EventPublisher), 1000, new Metrics('fuzz'));
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        rawBody.chain((body) => signature(body).map((sig) => ({ body, sig }))),
        async ({ body, sig }) => {
          try {
            await usecase.execute({ rawBody: body, signature256: sig, receivedAt: new Date() });
            accepted += 1;
          } catch (error) {
            if (!(error instanceof DomainError) || error.status >= 500) throw error;
          }
        },
      ),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(0);
    expect(publisher.published.length).toBeGreaterThan(0);
  });
});
