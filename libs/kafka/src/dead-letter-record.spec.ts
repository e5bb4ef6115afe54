import { DEAD_LETTER_KEPT_BYTES, deadLetterRecord } from './dead-letter-record';

describe('deadLetterRecord', () => {
  it('keeps the original key, value and headers and adds the reason', () => {
    const record = deadLetterRecord({ key: 'k', value: Buffer.from('v'), headers: { a: '1' } }, { 'dlq-reason': 'invalid' });
    expect(record).toEqual({ key: 'k', value: Buffer.from('v'), headers: { a: '1', 'dlq-reason': 'invalid' } });
  });

  it('cuts a value that could not fit under the broker limit with its headers, and says how big it was', () => {
    const record = deadLetterRecord({ key: null, value: Buffer.alloc(1_048_000, 0x61) }, { 'dlq-reason': 'invalid' });
    expect((record.value as Buffer).length).toBe(DEAD_LETTER_KEPT_BYTES);
    expect(record.headers).toEqual({ 'dlq-reason': 'invalid', 'dlq-value-truncated-from': '1048000' });
  });

  it('keeps a tombstone a tombstone', () => {
    expect(deadLetterRecord({ key: 'k', value: null }, {}).value).toBeNull();
  });
});
