import Encoder from 'kafkajs/src/protocol/encoder';
import { replaceKafkajsModule } from './kafkajs-module-cache';

type Bytes = Buffer | string | null | undefined;
/** What kafkajs's produce request (produce/v3/request.js) hands its record encoder for each message. */
export interface RecordFields {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, Bytes | Bytes[]>;
}
type RecordEncoder = (record: RecordFields) => Encoder;

const MODULE = 'kafkajs/src/protocol/recordBatch/record/v0';
const USER = 'kafkajs/src/protocol/requests/produce/v3/request';

/** Largest |timestampDelta| written here: its zigzag form stays an exact double (below 2^53). */
const MAX_DELTA = 2 ** 51;

const zigzag32 = (n: number): number => ((n << 1) ^ (n >> 31)) >>> 0;
const zigzag64 = (n: number): number => (n >= 0 ? 2 * n : -2 * n - 1);

function sizeOfUnsigned(u: number): number {
  let bytes = 1;
  while (u >= 0x80) {
    bytes++;
    u = Math.floor(u / 0x80);
  }
  return bytes;
}

function writeUnsigned(buf: Buffer, offset: number, u: number): number {
  while (u >= 0x80) {
    buf[offset++] = (u % 0x80) | 0x80;
    u = Math.floor(u / 0x80);
  }
  buf[offset++] = u;
  return offset;
}

/** A record's key, value or header value: its length as a zigzag varint, then its bytes (-1 for none). */
function sizeOfBytes(value: string | Buffer | null, length: number): number {
  return value === null ? 1 : sizeOfUnsigned(zigzag32(length)) + length;
}

function writeBytes(buf: Buffer, offset: number, value: string | Buffer | null, length: number): number {
  if (value === null) return writeUnsigned(buf, offset, zigzag32(-1));
  offset = writeUnsigned(buf, offset, zigzag32(length));
  if (typeof value === 'string') buf.write(value, offset, length, 'utf8');
  else value.copy(buf, offset);
  return offset + length;
}

const isBytes = (v: unknown): v is string | Buffer => typeof v === 'string' || Buffer.isBuffer(v);

/**
 * One record of a produce request (Kafka's record v0, inside a record batch v2), written as
 * kafkajs 2.2.4's `recordBatch/record/v0` writes it, byte for byte (record-encoding-fix.spec.ts
 * checks that with fast-check), but into one buffer of the record's exact size. kafkajs's own
 * allocates a zeroed 512-byte buffer per record and per header, a JS array and a Buffer per varint
 * and 64-bit `Long` objects for the timestamp; in the geofence's Kafka path that was a sixth of
 * all it allocated (BENCHMARKS.md, afternoon of 4 December). Anything it was not written for (a key
 * or value that is neither string nor Buffer, a header value that is not, a timestamp delta that
 * is not a safe integer) goes to kafkajs's own encoder, which then does what it always did.
 */
export function recordEncoderWith(original: RecordEncoder): RecordEncoder {
  return (record) => {
    const { offsetDelta = 0, timestampDelta = 0, key = null, value = null, headers = {} } = record;
    if (!Number.isSafeInteger(timestampDelta) || Math.abs(timestampDelta) > MAX_DELTA) return original(record);
    if ((key !== null && !isBytes(key)) || (value !== null && !isBytes(value))) return original(record);
    const keyLength = key === null ? 0 : Buffer.byteLength(key);
    const valueLength = value === null ? 0 : Buffer.byteLength(value);
    // Headers as kafkajs lists them: each name once per value, an array's values in order.
    const names: string[] = [];
    const values: (string | Buffer)[] = [];
    for (const name of Object.keys(headers)) {
      const v = headers[name];
      for (const one of Array.isArray(v) ? v : [v]) {
        if (!isBytes(one)) return original(record);
        names.push(name);
        values.push(one);
      }
    }
    let body = 1 + sizeOfUnsigned(zigzag64(timestampDelta)) + sizeOfUnsigned(zigzag32(offsetDelta));
    body += sizeOfBytes(key, keyLength) + sizeOfBytes(value, valueLength) + sizeOfUnsigned(zigzag32(names.length));
    const nameLengths = names.map((n) => Buffer.byteLength(n));
    const valueLengths = values.map((v) => Buffer.byteLength(v));
    for (let i = 0; i < names.length; i++) body += sizeOfBytes(names[i], nameLengths[i]) + sizeOfBytes(values[i], valueLengths[i]);

    const size = sizeOfUnsigned(zigzag32(body)) + body;
    // Every byte is written below (checked at the end), so the pooled, unzeroed buffer is safe.
    const buf = Buffer.allocUnsafe(size);
    let at = writeUnsigned(buf, 0, zigzag32(body));
    buf[at++] = 0; // attributes: none used
    at = writeUnsigned(buf, at, zigzag64(timestampDelta));
    at = writeUnsigned(buf, at, zigzag32(offsetDelta));
    at = writeBytes(buf, at, key, keyLength);
    at = writeBytes(buf, at, value, valueLength);
    at = writeUnsigned(buf, at, zigzag32(names.length));
    for (let i = 0; i < names.length; i++) {
      at = writeBytes(buf, at, names[i], nameLengths[i]);
      at = writeBytes(buf, at, values[i], valueLengths[i]);
    }
    if (at !== size) throw new Error(`record encoding wrote ${at} bytes of ${size}`);
    // kafkajs's record batch takes Encoders (it reads `buf` and `buffer`): one around this buffer.
    const encoder = Object.create(Encoder.prototype) as Encoder;
    encoder.buf = buf;
    encoder.offset = size;
    return encoder;
  };
}

/**
 * Puts the record encoder above in place of kafkajs's, in Node's module cache, before kafkajs's
 * produce request (produce/v3/request.js, loaded at the first produce) takes it; the library's
 * index calls this with the other kafkajs fixes, first. Only for the kafkajs version it was written
 * for. Returns whether kafkajs's produce request will use it: false if that request was loaded
 * first or the version differs.
 */
export function fixRecordEncoding(): boolean {
  return replaceKafkajsModule(
    MODULE,
    USER,
    (cached) => (cached as { fixed?: boolean } | undefined)?.fixed === true,
    (original) => Object.assign(recordEncoderWith(original as RecordEncoder), { fixed: true }),
  );
}

fixRecordEncoding();
