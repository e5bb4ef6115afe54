import { http, stackUrls, waitFor } from '@app/testing';
import { createHmac, randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { E2E } from '../setup/e2e-stack';
import { setFaults, setLastInteraction } from '../support/pages';

jest.setTimeout(60_000);

const sim = stackUrls(E2E.portBase).sim;

/** A webhook receiver of our own, to see exactly what the simulator (as Meta) sends. */
class Receiver {
  readonly received: { body: string; signature256?: string; signature1?: string }[] = [];
  failNext = 0;
  private server: Server | null = null;
  constructor(private readonly verifyToken: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method === 'GET') {
        const ok = url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === this.verifyToken;
        res.writeHead(ok ? 200 : 403).end(ok ? url.searchParams.get('hub.challenge') : 'no');
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        // Only shopper messages fail, so that late receipts of earlier sends cannot use up the failures.
        if (this.failNext > 0 && body.includes('"message"')) {
          this.failNext -= 1;
          res.writeHead(500).end('down');
          return;
        }
        this.received.push({ body, signature256: req.headers['x-hub-signature-256'] as string, signature1: req.headers['x-hub-signature'] as string });
        res.writeHead(200).end('EVENT_RECEIVED');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/webhook`;
  }

  close(): void {
    this.server?.close();
  }
}

type GraphError = { error: { message: string; type: string; code: number; error_subcode: number | null; fbtrace_id: string } };

describe('the Messenger simulator against MESSENGER.md', () => {
  const pageId = `sim${Date.now()}`;
  const accessToken = `EAA${randomBytes(12).toString('hex')}`;
  const appSecret = randomBytes(12).toString('hex');
  const verifyToken = randomBytes(8).toString('hex');
  const receiver = new Receiver(verifyToken);
  const psid = `p${randomBytes(3).toString('hex')}`;
  const send = (body: unknown, token = accessToken, path = `v21.0/${pageId}/messages`) =>
    http<GraphError & { recipient_id: string; message_id: string }>('POST', `${sim}/${path}?access_token=${token}`, body);
  // The Send API example of MESSENGER.md, verbatim apart from the ids.
  const example = (recipient: string) => ({
    recipient: { id: recipient },
    messaging_type: 'RESPONSE',
    message: {
      attachment: {
        type: 'template',
        payload: {
          template_type: 'generic',
          elements: [
            {
              title: 'Store X: 20% off', subtitle: '350 m away', image_url: 'https://example.com/i.png',
              default_action: { type: 'web_url', url: 'https://example.com/o' },
              buttons: [
                { type: 'web_url', url: 'https://example.com/d', title: 'Directions' },
                { type: 'postback', title: 'Stop nearby deals', payload: 'STOP_DEALS' },
              ],
            },
          ],
        },
      },
    },
  });

  beforeAll(async () => {
    const webhookUrl = await receiver.start();
    const wrong = await http('POST', `${sim}/__sim/pages`, { pageId, accessToken, appSecret, verifyToken: 'not-it', webhookUrl });
    expect(wrong.status).toBe(502);
    const registered = await http('POST', `${sim}/__sim/pages`, { pageId, accessToken, appSecret, verifyToken, webhookUrl });
    expect(registered.status).toBe(201);
  });
  afterEach(() => setFaults(sim, {}));
  afterAll(() => receiver.close());

  it('delivers shopper messages as Meta does: escaped non-ASCII bytes, signed with sha256 (and legacy sha1)', async () => {
    const r = await http<{ mid: string }>('POST', `${sim}/__sim/pages/${pageId}/shoppers/${psid}/messages`, { text: 'ARRÊT / stop' });
    expect(r.status).toBe(200);
    const last = receiver.received[receiver.received.length - 1];
    expect(last.body).toContain('ARR\\u00caT \\/ stop');
    expect(last.signature256).toBe(`sha256=${createHmac('sha256', appSecret).update(last.body).digest('hex')}`);
    expect(last.signature1).toMatch(/^sha1=[0-9a-f]{40}$/);
    const event = JSON.parse(last.body) as { object: string; entry: { id: string; messaging: { sender: { id: string }; message: { mid: string } }[] }[] };
    expect(event).toMatchObject({ object: 'page', entry: [{ id: pageId, messaging: [{ sender: { id: psid }, message: { mid: r.body.mid } }] }] });
  });

  it('accepts the documented template, then sends delivery and read receipts back; the inbox holds it', async () => {
    const before = receiver.received.length;
    const ok = await send(example(psid));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ recipient_id: psid, message_id: expect.stringMatching(/^m_/) });
    const receipts = await waitFor('delivery and read receipts', async () => {
      const events = receiver.received.slice(before).flatMap((r) => (JSON.parse(r.body) as { entry: { messaging: Record<string, { mids?: string[]; watermark: number }>[] }[] }).entry.flatMap((e) => e.messaging));
      const delivery = events.find((e) => e.delivery?.mids?.includes(ok.body.message_id));
      const read = events.find((e) => e.read);
      return delivery && read ? { delivery, read } : null;
    });
    expect(receipts.read.read.watermark).toBeGreaterThanOrEqual(receipts.delivery.delivery.watermark);
    const inbox = await http<{ messages: { messageId: string }[] }>('GET', `${sim}/__sim/pages/${pageId}/shoppers/${psid}/inbox`);
    expect(inbox.body.messages.map((m) => m.messageId)).toContain(ok.body.message_id);
  });

  it('answers the error table: bad token 190, unknown PSID 100/2018001, outside the window 10/2018278, template limits 100', async () => {
    const expectError = async (p: Promise<{ status: number; body: GraphError }>, code: number, subcode: number | null) => {
      const r = await p;
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.body.error).toMatchObject({ type: 'OAuthException', code, error_subcode: subcode, fbtrace_id: expect.any(String) });
    };
    await expectError(send(example(psid), 'EAAforged'), 190, null);
    await expectError(send(example('never-wrote')), 100, 2018001);
    const old = `o${randomBytes(3).toString('hex')}`;
    await setLastInteraction(sim, pageId, old, Date.now() - 24 * 3600_000 - 1000);
    await expectError(send(example(old)), 10, 2018278);
    const tooMany = example(psid);
    const el = tooMany.message.attachment.payload.elements[0];
    tooMany.message.attachment.payload.elements = Array.from({ length: 11 }, () => el);
    await expectError(send(tooMany), 100, null);
    const longTitle = example(psid);
    longTitle.message.attachment.payload.elements[0].title = 'x'.repeat(81);
    await expectError(send(longTitle), 100, null);
    const fourButtons = example(psid);
    const b = fourButtons.message.attachment.payload.elements[0].buttons;
    fourButtons.message.attachment.payload.elements[0].buttons = [...b, ...b];
    await expectError(send(fourButtons), 100, null);
    const inbox = await http<{ messages: unknown[] }>('GET', `${sim}/__sim/pages/${pageId}/shoppers/never-wrote/inbox`);
    expect(inbox.body.messages).toEqual([]);
  });

  it('injects faults: per-Page rate limit 613, temporary errors code 2 with HTTP 500, forced 5xx, latency', async () => {
    await setFaults(sim, { rateLimitPerSecond: 3 });
    const burst = await Promise.all(Array.from({ length: 12 }, () => send(example(psid))));
    expect(burst.filter((r) => r.body.error?.code === 613).length).toBeGreaterThan(0);
    await setFaults(sim, { errorRate: 1 });
    const temporary = await send(example(psid));
    expect(temporary.status).toBe(500);
    expect(temporary.body.error.code).toBe(2);
    await setFaults(sim, { failNext: [{ code: 1200, httpStatus: 503, count: 1 }], latencyMs: 50 });
    const forced = await send(example(psid));
    expect([forced.status, forced.body.error.code]).toEqual([503, 1200]);
    expect((await send(example(psid))).status).toBe(200);
  });

  it('retries a webhook the receiver fails, as Meta does, and reports every try', async () => {
    receiver.failNext = 2;
    const r = await http<{ attempts: number[] }>('POST', `${sim}/__sim/pages/${pageId}/shoppers/${psid}/messages`, { text: 'hello again' });
    expect(r.status).toBe(200);
    expect(r.body.attempts).toEqual([500, 500, 200]);
    receiver.failNext = 10;
    const failed = await http<{ attempts: number[] }>('POST', `${sim}/__sim/pages/${pageId}/shoppers/${psid}/messages`, { text: 'lost' });
    expect(failed.status).toBe(500);
    expect(failed.body.attempts).toEqual([500, 500, 500, 500]);
    receiver.failNext = 0;
  });
});
