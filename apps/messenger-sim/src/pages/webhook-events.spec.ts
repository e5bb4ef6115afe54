import { handshakeProblem } from './handshake';
import { ShopperEventBody } from './pages.dto';
import { interactionsIn, messagingEvent, pageWebhook } from './webhook-events';

const at = { timestampMs: 1458692752478, mid: 'm_1' };

describe('messagingEvent', () => {
  it('builds a text message event as in MESSENGER.md', () => {
    const event = messagingEvent(
      'PAGE',
      'PSID',
      { kind: 'message', message: { text: 'hello' } },
      at,
    );
    expect(pageWebhook('PAGE', 1458692752999, [event])).toEqual({
      object: 'page',
      entry: [
        {
          id: 'PAGE',
          time: 1458692752999,
          messaging: [
            {
              sender: { id: 'PSID' },
              recipient: { id: 'PAGE' },
              timestamp: 1458692752478,
              message: { mid: 'm_1', text: 'hello' },
            },
          ],
        },
      ],
    });
  });

  it('puts the mid first in messages and last in postbacks', () => {
    const message = messagingEvent(
      'P',
      'S',
      { kind: 'message', message: { text: 'STOP', quick_reply: { payload: 'STOP' } } },
      at,
    );
    expect(JSON.stringify(message.message)).toBe(
      '{"mid":"m_1","text":"STOP","quick_reply":{"payload":"STOP"}}',
    );
    const postback = messagingEvent(
      'P',
      'S',
      { kind: 'postback', postback: { title: 'Stop', payload: 'STOP_DEALS' } },
      at,
    );
    expect(JSON.stringify(postback.postback)).toBe(
      '{"title":"Stop","payload":"STOP_DEALS","mid":"m_1"}',
    );
  });

  it('gives read, delivery and optin events no mid', () => {
    expect(messagingEvent('P', 'S', { kind: 'read', read: { watermark: 5 } }, at).read).toEqual({
      watermark: 5,
    });
    expect(
      messagingEvent('P', 'S', { kind: 'delivery', delivery: { watermark: 5 } }, at).delivery,
    ).toEqual({ watermark: 5 });
    expect(
      messagingEvent('P', 'S', { kind: 'optin', optin: { type: 'notification_messages' } }, at)
        .optin,
    ).toEqual({
      type: 'notification_messages',
    });
  });
});

describe('interactionsIn', () => {
  it('finds shoppers across entries, opening the window for messages and postbacks only', () => {
    const webhook = {
      object: 'page',
      entry: [
        {
          id: 'P1',
          time: 1,
          messaging: [
            {
              sender: { id: 'A' },
              recipient: { id: 'P1' },
              timestamp: 10,
              message: { mid: 'm', text: 'hi' },
            },
            { sender: { id: 'B' }, recipient: { id: 'P1' }, timestamp: 11, read: { watermark: 1 } },
            {
              sender: { id: 'P1' },
              recipient: { id: 'A' },
              timestamp: 12,
              message: { mid: 'e', is_echo: true, text: 'x' },
            },
          ],
        },
        {
          id: 'P2',
          time: 2,
          messaging: [
            {
              sender: { id: 'C' },
              recipient: { id: 'P2' },
              timestamp: 13,
              postback: { payload: 'X' },
            },
          ],
        },
        { id: 'P3', time: 3 },
      ],
    };
    expect(interactionsIn(webhook, 99)).toEqual([
      { pageId: 'P1', psid: 'A', atMs: 10, opensWindow: true },
      { pageId: 'P1', psid: 'B', atMs: 11, opensWindow: false },
      { pageId: 'P2', psid: 'C', atMs: 13, opensWindow: true },
    ]);
  });

  it('ignores bodies that are not page webhooks', () => {
    expect(interactionsIn({ object: 'user' }, 1)).toEqual([]);
    expect(interactionsIn(null, 1)).toEqual([]);
  });
});

describe('ShopperEventBody', () => {
  it('accepts a bare message, a wrapped one with a timestamp, and a postback', () => {
    expect(ShopperEventBody.parse({ text: 'hi' })).toEqual({
      action: { kind: 'message', message: { text: 'hi' } },
    });
    expect(ShopperEventBody.parse({ message: { text: 'hi' }, timestamp: 5 })).toEqual({
      action: { kind: 'message', message: { text: 'hi' } },
      timestampMs: 5,
    });
    expect(ShopperEventBody.parse({ postback: { title: 'T', payload: 'P' } }).action).toEqual({
      kind: 'postback',
      postback: { title: 'T', payload: 'P' },
    });
  });

  it('rejects bodies with no event or two events, naming the field', () => {
    expect(ShopperEventBody.safeParse({}).success).toBe(false);
    expect(ShopperEventBody.safeParse({ text: 'a', postback: { payload: 'P' } }).success).toBe(
      false,
    );
    const wrong = ShopperEventBody.safeParse({ postback: { title: 'T' } });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0].path).toEqual(['postback', 'payload']);
  });
});

describe('handshakeProblem', () => {
  it('accepts only 200 with exactly the challenge', () => {
    expect(handshakeProblem({ reached: true, status: 200, body: '123' }, '123')).toBeUndefined();
    expect(handshakeProblem({ reached: true, status: 200, body: '123\n' }, '123')).toMatch(
      /not the challenge/,
    );
    expect(handshakeProblem({ reached: true, status: 403, body: '123' }, '123')).toMatch(
      /answered 403/,
    );
    expect(
      handshakeProblem({ reached: false, timedOut: false, reason: 'ECONNREFUSED' }, '123'),
    ).toBe('ECONNREFUSED');
  });
});
