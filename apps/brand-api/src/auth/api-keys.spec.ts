import { bearerToken, generateApiKey, safeEqual, sha256Hex } from './api-keys';

describe('api keys', () => {
  it('generates distinct high-entropy keys whose hash is stored, not the key', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toEqual(b.key);
    expect(a.key.length).toBeGreaterThanOrEqual(50);
    expect(a.sha256).toEqual(sha256Hex(a.key));
    expect(a.sha256).not.toContain(a.key);
    expect(a.key.startsWith(a.prefix)).toBe(true);
  });

  it('reads bearer tokens and nothing else', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });

  it('compares tokens of any length', () => {
    expect(safeEqual('secret-token', 'secret-token')).toBe(true);
    expect(safeEqual('secret-token', 'secret')).toBe(false);
  });
});
