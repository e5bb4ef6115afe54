import { ParsedSend, parseSendRequest } from './send-request';

const element = (over: Record<string, unknown> = {}) => ({
  title: 'Store X: 20% off',
  subtitle: '350 m away',
  image_url: 'https://cdn.example.com/x.jpg',
  default_action: { type: 'web_url', url: 'https://example.com/x' },
  buttons: [
    { type: 'web_url', url: 'https://maps.example.com', title: 'Directions' },
    { type: 'postback', title: 'Stop nearby deals', payload: 'STOP_DEALS' },
  ],
  ...over,
});

const generic = (elements: unknown[], extra: Record<string, unknown> = {}) => ({
  recipient: { id: 'PSID' },
  messaging_type: 'RESPONSE',
  message: {
    attachment: { type: 'template', payload: { template_type: 'generic', elements, ...extra } },
  },
});

function problem(result: ParsedSend): string {
  if (result.ok) throw new Error('expected a rejection');
  expect(result.error.code).toBe(100);
  expect(result.error.subcode).toBeUndefined();
  expect(result.error.httpStatus).toBe(400);
  return result.error.message;
}

describe('parseSendRequest', () => {
  it('accepts the generic template of MESSENGER.md', () => {
    const result = parseSendRequest(generic([element()]));
    expect(result).toEqual({
      ok: true,
      request: {
        recipientId: 'PSID',
        messagingType: 'RESPONSE',
        tag: undefined,
        body: generic([element()]),
      },
    });
  });

  it('accepts a text message of exactly 2000 characters and rejects 2001', () => {
    const body = (text: string) => ({
      recipient: { id: 'P' },
      messaging_type: 'UPDATE',
      message: { text },
    });
    expect(parseSendRequest(body('x'.repeat(2000))).ok).toBe(true);
    expect(problem(parseSendRequest(body('x'.repeat(2001))))).toBe(
      '(#100) Length of param message[text] must be less than or equal to 2000',
    );
    expect(problem(parseSendRequest(body('')))).toMatch(/message\[text\] must be a non-empty/);
  });

  it('limits a generic template to 1..10 elements', () => {
    expect(parseSendRequest(generic(Array.from({ length: 10 }, () => element()))).ok).toBe(true);
    expect(problem(parseSendRequest(generic(Array.from({ length: 11 }, () => element()))))).toMatch(
      /\[elements\] must have at most 10 elements, got 11/,
    );
    expect(problem(parseSendRequest(generic([])))).toMatch(
      /\[elements\] must be a non-empty array/,
    );
  });

  it('requires an element title of at most 80 characters and a subtitle of at most 80', () => {
    expect(
      parseSendRequest(generic([element({ title: 't'.repeat(80), subtitle: 's'.repeat(80) })])).ok,
    ).toBe(true);
    expect(problem(parseSendRequest(generic([element({ title: 't'.repeat(81) })])))).toBe(
      '(#100) Length of param message[attachment][payload][elements][0][title] must be less than or equal to 80',
    );
    expect(
      problem(parseSendRequest(generic([element(), element({ subtitle: 's'.repeat(81) })]))),
    ).toMatch(/elements\]\[1\]\[subtitle\] must be less than or equal to 80/);
    expect(problem(parseSendRequest(generic([element({ title: undefined })])))).toMatch(
      /\[elements\]\[0\]\[title\] must be a non-empty/,
    );
  });

  it('needs something besides the title in an element', () => {
    const bare = { title: 'Only a title' };
    expect(problem(parseSendRequest(generic([bare])))).toMatch(/^\(#100\) Incomplete element data/);
  });

  it('limits buttons to 3 with titles of at most 20 characters', () => {
    const button = { type: 'postback', title: 'b', payload: 'P' };
    expect(parseSendRequest(generic([element({ buttons: [button, button, button] })])).ok).toBe(
      true,
    );
    expect(
      problem(parseSendRequest(generic([element({ buttons: [button, button, button, button] })]))),
    ).toMatch(/\[buttons\] must have at most 3 elements, got 4/);
    expect(
      problem(
        parseSendRequest(generic([element({ buttons: [{ ...button, title: 'x'.repeat(21) }] })])),
      ),
    ).toMatch(/\[buttons\]\[0\]\[title\] must be less than or equal to 20/);
  });

  it('requires an https url on web_url buttons and a payload on postback buttons', () => {
    const withButton = (b: unknown) => generic([element({ buttons: [b] })]);
    expect(problem(parseSendRequest(withButton({ type: 'web_url', title: 'Go' })))).toMatch(
      /\[buttons\]\[0\]\[url\] must be a valid https URL/,
    );
    expect(
      problem(
        parseSendRequest(withButton({ type: 'web_url', title: 'Go', url: 'http://x.example' })),
      ),
    ).toMatch(/https URL/);
    // Departure from Meta for local stacks without TLS: loopback http links are accepted.
    expect(parseSendRequest(withButton({ type: 'web_url', title: 'Go', url: 'http://127.0.0.1:3001/r/x' })).ok).toBe(true);
    expect(problem(parseSendRequest(withButton({ type: 'postback', title: 'Stop' })))).toMatch(
      /\[buttons\]\[0\]\[payload\] must be a non-empty/,
    );
    expect(problem(parseSendRequest(withButton({ type: 'nope', title: 'x' })))).toMatch(
      /\[type\] must be one of/,
    );
  });

  it('limits button template text to 640 characters and needs 1..3 buttons', () => {
    const button = (text: string, buttons: unknown[]) => ({
      recipient: { id: 'P' },
      messaging_type: 'RESPONSE',
      message: {
        attachment: { type: 'template', payload: { template_type: 'button', text, buttons } },
      },
    });
    const b = { type: 'web_url', url: 'https://x.example/share', title: 'Share location' };
    expect(parseSendRequest(button('t'.repeat(640), [b])).ok).toBe(true);
    expect(problem(parseSendRequest(button('t'.repeat(641), [b])))).toMatch(
      /\[text\] must be less than or equal to 640/,
    );
    expect(problem(parseSendRequest(button('hi', [])))).toMatch(
      /\[buttons\] must have at least 1 element/,
    );
  });

  it('checks messaging_type and message tags', () => {
    const text = { recipient: { id: 'P' }, message: { text: 'hi' } };
    expect(problem(parseSendRequest(text))).toBe('(#100) The parameter messaging_type is required');
    expect(problem(parseSendRequest({ ...text, messaging_type: 'PROMO' }))).toMatch(
      /messaging_type must be one of/,
    );
    expect(problem(parseSendRequest({ ...text, messaging_type: 'MESSAGE_TAG' }))).toMatch(
      /parameter tag is required/,
    );
    expect(
      problem(parseSendRequest({ ...text, messaging_type: 'MESSAGE_TAG', tag: 'PAIRING_UPDATE' })),
    ).toMatch(/tag must be one of/);
    const tagged = parseSendRequest({ ...text, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(tagged.ok && tagged.request.tag).toBe('HUMAN_AGENT');
  });

  it('accepts sender actions without a message and rejects them with one', () => {
    const typing = parseSendRequest({ recipient: { id: 'P' }, sender_action: 'typing_on' });
    expect(typing.ok && typing.request).toMatchObject({
      senderAction: 'typing_on',
      messagingType: 'RESPONSE',
    });
    expect(problem(parseSendRequest({ recipient: { id: 'P' }, sender_action: 'dance' }))).toMatch(
      /sender_action must be one of/,
    );
    expect(
      problem(
        parseSendRequest({
          recipient: { id: 'P' },
          sender_action: 'mark_seen',
          messaging_type: 'RESPONSE',
          message: { text: 'x' },
        }),
      ),
    ).toMatch(/cannot be sent together/);
    expect(problem(parseSendRequest({ recipient: { id: 'P' } }))).toBe(
      '(#100) Must send either message or sender action',
    );
  });

  it('rejects the deprecated location quick reply', () => {
    const body = {
      recipient: { id: 'P' },
      messaging_type: 'RESPONSE',
      message: { text: 'Where?', quick_replies: [{ content_type: 'location' }] },
    };
    expect(problem(parseSendRequest(body))).toBe(
      '(#100) Location Quick Reply is now deprecated on API 4.0',
    );
  });

  it('names a missing recipient and unknown message keys', () => {
    expect(problem(parseSendRequest({ messaging_type: 'RESPONSE', message: { text: 'x' } }))).toBe(
      '(#100) The parameter recipient is required',
    );
    expect(
      problem(
        parseSendRequest({
          recipient: { id: '' },
          messaging_type: 'RESPONSE',
          message: { text: 'x' },
        }),
      ),
    ).toMatch(/recipient\[id\]/);
    expect(
      problem(
        parseSendRequest({
          recipient: { id: 'P' },
          messaging_type: 'RESPONSE',
          message: { attachments: [] },
        }),
      ),
    ).toBe('(#100) param message has an unexpected key "attachments"');
  });

  it('decodes form posts (JSON strings) and never keeps the access token', () => {
    const result = parseSendRequest({
      recipient: '{"id":"PSID"}',
      messaging_type: 'RESPONSE',
      message: '{"text":"hi"}',
      access_token: 'secret-token',
    });
    expect(result).toEqual({
      ok: true,
      request: {
        recipientId: 'PSID',
        messagingType: 'RESPONSE',
        tag: undefined,
        body: { recipient: { id: 'PSID' }, messaging_type: 'RESPONSE', message: { text: 'hi' } },
      },
    });
    expect(
      problem(
        parseSendRequest({
          recipient: '{not json',
          messaging_type: 'RESPONSE',
          message: { text: 'x' },
        }),
      ),
    ).toMatch(/recipient must be a JSON object/);
  });
});
