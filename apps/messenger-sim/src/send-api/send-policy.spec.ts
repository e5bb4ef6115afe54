import { graphErrorBody } from './graph-error';
import {
  HUMAN_AGENT_WINDOW_MS,
  STANDARD_WINDOW_MS,
  checkAccess,
  checkRecipient,
} from './send-policy';

const live = { pageId: 'PAGE', deleted: false };

describe('checkAccess', () => {
  it('lets the Page token through on /me and on its own Page id', () => {
    expect(
      checkAccess({ pathPage: 'me', token: 't', owner: live, restricted: false }),
    ).toBeUndefined();
    expect(
      checkAccess({ pathPage: 'PAGE', token: 't', owner: live, restricted: false }),
    ).toBeUndefined();
  });

  it('answers 190 for a missing, unknown or other-Page token', () => {
    for (const input of [
      { pathPage: 'me', token: undefined, owner: undefined, restricted: false },
      { pathPage: 'me', token: 'nope', owner: undefined, restricted: false },
      { pathPage: 'OTHER', token: 't', owner: live, restricted: false },
    ]) {
      expect(checkAccess(input)).toMatchObject({ code: 190, subcode: undefined, httpStatus: 400 });
    }
  });

  it('answers 10 / 1893063 for a deleted or restricted Page, after the token check', () => {
    expect(
      checkAccess({
        pathPage: 'me',
        token: 't',
        owner: { ...live, deleted: true },
        restricted: false,
      }),
    ).toMatchObject({
      code: 10,
      subcode: 1893063,
    });
    expect(
      checkAccess({ pathPage: 'me', token: 't', owner: live, restricted: true }),
    ).toMatchObject({ code: 10, subcode: 1893063 });
    expect(
      checkAccess({ pathPage: 'me', token: 'x', owner: undefined, restricted: true }),
    ).toMatchObject({ code: 190 });
  });
});

describe('checkRecipient', () => {
  const now = 1_700_000_000_000;
  const response = { messagingType: 'RESPONSE' as const };

  it('answers 100 / 2018001 for a shopper who never wrote to the Page', () => {
    expect(checkRecipient(response, undefined, now)).toMatchObject({
      code: 100,
      subcode: 2018001,
      message: '(#100) No matching user found',
    });
  });

  it('allows RESPONSE and UPDATE only within 24 hours of the last message or postback', () => {
    const recent = { lastInteractionAt: now - STANDARD_WINDOW_MS + 1 };
    const expired = { lastInteractionAt: now - STANDARD_WINDOW_MS };
    expect(checkRecipient(response, recent, now)).toBeUndefined();
    expect(checkRecipient({ messagingType: 'UPDATE' }, recent, now)).toBeUndefined();
    expect(checkRecipient(response, expired, now)).toMatchObject({
      code: 10,
      subcode: 2018278,
      httpStatus: 400,
    });
    expect(checkRecipient({ messagingType: 'UPDATE' }, expired, now)).toMatchObject({
      code: 10,
      subcode: 2018278,
    });
  });

  it('treats a shopper known only from reads or deliveries as outside the window', () => {
    expect(checkRecipient(response, {}, now)).toMatchObject({ code: 10, subcode: 2018278 });
  });

  it('lets tags other than HUMAN_AGENT through at any time, and HUMAN_AGENT for 7 days', () => {
    const old = { lastInteractionAt: now - 30 * STANDARD_WINDOW_MS };
    expect(
      checkRecipient({ messagingType: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' }, old, now),
    ).toBeUndefined();
    expect(
      checkRecipient(
        { messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' },
        { lastInteractionAt: now - HUMAN_AGENT_WINDOW_MS + 1 },
        now,
      ),
    ).toBeUndefined();
    expect(
      checkRecipient({ messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }, old, now),
    ).toMatchObject({ code: 10, subcode: 2018278 });
    expect(
      checkRecipient({ messagingType: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' }, undefined, now),
    ).toMatchObject({ subcode: 2018001 });
  });
});

describe('graphErrorBody', () => {
  it("has Meta's shape", () => {
    const body = graphErrorBody({ code: 10, subcode: 2018278, message: 'm', httpStatus: 400 });
    expect(body).toEqual({
      error: {
        message: 'm',
        type: 'OAuthException',
        code: 10,
        error_subcode: 2018278,
        fbtrace_id: expect.stringMatching(/^[\w-]{11}$/),
      },
    });
    expect(
      graphErrorBody({ code: 190, message: 'm', httpStatus: 400 }).error.error_subcode,
    ).toBeNull();
  });
});
