import { signClickLink, signShareLink, verifyClickLink, verifyShareLink } from './links';

const key = Buffer.alloc(32, 7);
const now = Date.parse('2026-11-25T10:00:00Z');

describe('share-location links', () => {
  it('carry the Page and PSID until they expire, 15 minutes at most', () => {
    const token = signShareLink(key, 'PAGE', 'PSID', now, 3600);
    expect(verifyShareLink(key, token, now + 60_000)).toMatchObject({ pageId: 'PAGE', psid: 'PSID' });
    expect(verifyShareLink(key, token, now + 15 * 60_000)).toBeNull();
  });

  it('refuse another key, a changed payload, a click token and garbage', () => {
    const token = signShareLink(key, 'PAGE', 'PSID', now);
    expect(verifyShareLink(Buffer.alloc(32, 8), token, now)).toBeNull();
    const [, sig] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ pageId: 'PAGE', psid: 'OTHER', exp: now / 1000 + 60 })).toString('base64url')}.${sig}`;
    expect(verifyShareLink(key, forged, now)).toBeNull();
    const click = signClickLink(key, { requestId: 'r', shopperId: 'P:S', offerId: 'o', url: 'https://x.example' });
    expect(verifyShareLink(key, click, now)).toBeNull();
    for (const junk of [undefined, '', '.', 'a.b.c', 'x'.repeat(5000), 42]) expect(verifyShareLink(key, junk, now)).toBeNull();
  });
});

describe('click links', () => {
  it('are bound to their requestId', () => {
    const token = signClickLink(key, { requestId: 'r1', shopperId: 'P:S', offerId: 'o', url: 'https://x.example/o' });
    expect(verifyClickLink(key, 'r1', token)).toMatchObject({ url: 'https://x.example/o', shopperId: 'P:S' });
    expect(verifyClickLink(key, 'r2', token)).toBeNull();
  });
});
