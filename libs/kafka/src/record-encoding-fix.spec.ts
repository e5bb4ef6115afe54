import fc from 'fast-check';
// The library's entry, as the apps import it: it must put the fix in place before kafkajs's produce request loads.
import { RecordFields, fixRecordEncoding, recordEncoderWith } from './index';
import Encoder from 'kafkajs/src/protocol/encoder';

type RecordEncoder = (record: RecordFields) => Encoder;

/** kafkajs's own record encoder, loaded apart from the fixed one (a module registry of its own). */
let kafkajsRecord: RecordEncoder = () => new Encoder();
jest.isolateModules(() => {
  kafkajsRecord = jest.requireActual('kafkajs/src/protocol/recordBatch/record/v0');
});

const bytes = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
);
const headerValue = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a)));
const record = fc.record(
  {
    offsetDelta: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    timestampDelta: fc.oneof(fc.integer({ min: -1000, max: 100_000 }), fc.integer({ min: -(2 ** 51), max: 2 ** 51 })),
    key: bytes,
    value: bytes,
    headers: fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 }))),
  },
  { requiredKeys: [] },
);

describe("kafkajs's record encoder", () => {
  const fixed = recordEncoderWith(kafkajsRecord);

  it('is in place for kafkajs\'s produce request once the library is loaded', () => {
    expect(fixRecordEncoding()).toBe(true);
    const inCache = jest.requireActual<{ fixed?: boolean }>('kafkajs/src/protocol/recordBatch/record/v0');
    expect(inCache).not.toBe(kafkajsRecord);
    expect(inCache.fixed).toBe(true);
  });

  it('writes every record byte for byte as kafkajs does, into a buffer of exactly its size', () => {
    fc.assert(
      fc.property(record, (r) => {
        const ours = fixed(r);
        const theirs = kafkajsRecord(r);
        expect(ours.buffer.equals(theirs.buffer)).toBe(true);
        expect(ours.size()).toBe(theirs.size());
        expect(ours.buf.length).toBe(ours.size());
        expect(ours).toBeInstanceOf(Encoder);
      }),
      { numRuns: 500 },
    );
  });

  it('writes a geofence transition as kafkajs does (a JSON value, a key and four headers)', () => {
    const r = {
      offsetDelta: 417,
      timestampDelta: 3,
      key: 'page-1:psid-2',
      value: JSON.stringify({ id: 'e', type: 'geofence.entered', data: { storeId: 'store-é', lat: 45.76 } }),
      headers: { 'event-type': 'geofence.entered', 'event-id': 'abc', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'emitted-by': 'geofence' },
    };
    expect(fixed(r).buffer.equals(kafkajsRecord(r).buffer)).toBe(true);
  });

  it("leaves to kafkajs's own encoder what it was not written for, which then does what it always did", () => {
    const odd: RecordFields[] = [
      { key: 'k', value: 'v', timestampDelta: 2 ** 60 },
      { key: 'k', value: new Uint8Array([1, 2, 3]) as unknown as Buffer },
    ];
    for (const r of odd) expect(fixed(r).buffer.equals(kafkajsRecord(r).buffer)).toBe(true);
    // kafkajs throws on a fractional timestamp delta and on a null header value; so does the fixed encoder.
    expect(() => kafkajsRecord({ key: 'k', timestampDelta: 1.5 })).toThrow(RangeError);
    expect(() => fixed({ key: 'k', timestampDelta: 1.5 })).toThrow(RangeError);
    const nullHeader = { key: 'k', value: 'v', headers: { h: null } };
    expect(() => kafkajsRecord(nullHeader)).toThrow(/must be of type string/);
    expect(() => fixed(nullHeader)).toThrow(/must be of type string/);
  });
});
