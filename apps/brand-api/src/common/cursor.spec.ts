import { decodeCursor, encodeCursor, toPage } from './cursor';

describe('cursors', () => {
  const id = '0b7d3c1e-52a4-4c3e-9a3e-1f1f1f1f1f1f';
  it('round-trips an id', () => {
    expect(decodeCursor(encodeCursor(id))).toBe(id);
    expect(decodeCursor(undefined)).toBeNull();
  });
  it('refuses anything else, naming the field', () => {
    expect(() => decodeCursor('nope')).toThrow(/invalid cursor/);
    expect(() => decodeCursor(Buffer.from('{"after":"x"}').toString('base64url'))).toThrow(/invalid cursor/);
  });
  it('pages limit + 1 rows', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(toPage(rows, 2, (r) => r.id)).toEqual({ items: ['a', 'b'], nextCursor: encodeCursor('b') });
    expect(toPage(rows, 3, (r) => r.id)).toEqual({ items: ['a', 'b', 'c'], nextCursor: null });
  });
});
