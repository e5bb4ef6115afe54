import { createHmac } from 'node:crypto';
import { metaJson, signatureHeaders } from './meta-signature';

describe('metaJson', () => {
  it('escapes non-ASCII characters as lowercase \\uXXXX, as Meta sends them', () => {
    expect(metaJson({ text: 'ARRÊT' })).toBe('{"text":"ARR\\u00caT"}');
    expect(metaJson({ text: 'äöå' })).toBe('{"text":"\\u00e4\\u00f6\\u00e5"}');
  });

  it('escapes characters outside the BMP as their UTF-16 surrogate pair', () => {
    expect(metaJson('😀')).toBe('"\\ud83d\\ude00"');
  });

  it('escapes slashes and leaves the bytes pure ASCII', () => {
    const json = metaJson({ url: 'https://example.com/a', text: 'Café € 日本' });
    expect(json).toBe(
      '{"url":"https:\\/\\/example.com\\/a","text":"Caf\\u00e9 \\u20ac \\u65e5\\u672c"}',
    );
    expect(Buffer.from(json, 'utf8').length).toBe(json.length);
  });

  it('round-trips through JSON.parse to the same value', () => {
    const value = {
      a: 'ARRÊT / STOP \\ "quoted"\n',
      n: [1, 2.5, null, true],
      nested: { emoji: '🛒', lone: '\ud800' },
    };
    expect(JSON.parse(metaJson(value))).toEqual(value);
  });

  it('differs from plain JSON.stringify when the text is not ASCII (so re-serializing breaks the signature)', () => {
    const value = { text: 'ARRÊT' };
    expect(metaJson(value)).not.toBe(JSON.stringify(value));
  });
});

describe('signatureHeaders', () => {
  const body = Buffer.from('The quick brown fox jumps over the lazy dog');

  it('matches the published HMAC test vectors', () => {
    expect(signatureHeaders(body, 'key')).toEqual({
      'x-hub-signature-256':
        'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
      'x-hub-signature': 'sha1=de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9',
    });
  });

  it('signs exactly the escaped bytes that are sent', () => {
    const sent = Buffer.from(metaJson({ text: 'ARRÊT' }));
    const expected = createHmac('sha256', 'secret').update('{"text":"ARR\\u00caT"}').digest('hex');
    expect(signatureHeaders(sent, 'secret')['x-hub-signature-256']).toBe(`sha256=${expected}`);
  });

  it('forges a well-formed but wrong signature on request', () => {
    const good = signatureHeaders(body, 'secret');
    const bad = signatureHeaders(body, 'secret', 'bad');
    expect(bad['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(bad['x-hub-signature-256']).not.toBe(good['x-hub-signature-256']);
    expect(bad['x-hub-signature']).not.toBe(good['x-hub-signature']);
  });

  it('omits both headers when asked for a missing signature', () => {
    expect(signatureHeaders(body, 'secret', 'missing')).toEqual({});
  });
});
