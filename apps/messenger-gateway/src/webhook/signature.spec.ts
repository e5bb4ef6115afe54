import { isValidSignature, signBody } from './signature';

describe('webhook signature', () => {
  // Meta signs the bytes it sends, with non-ASCII escaped: verifying re-serialized JSON would fail.
  const raw = Buffer.from('{"object":"page","entry":[{"messaging":[{"message":{"text":"ARR\\u00caT"}}]}]}');

  it('accepts the HMAC-SHA256 of the exact bytes', () => {
    expect(isValidSignature(raw, signBody(raw, 'app-secret'), 'app-secret')).toBe(true);
  });

  it('refuses another secret, other bytes, a malformed or missing header, and sha1 alone', () => {
    expect(isValidSignature(raw, signBody(raw, 'other'), 'app-secret')).toBe(false);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(isValidSignature(reserialized, signBody(raw, 'app-secret'), 'app-secret')).toBe(false);
    expect(isValidSignature(raw, 'sha256=abc', 'app-secret')).toBe(false);
    expect(isValidSignature(raw, undefined, 'app-secret')).toBe(false);
    expect(isValidSignature(raw, 'sha1=0123456789abcdef0123456789abcdef01234567', 'app-secret')).toBe(false);
  });
});
