import type { IHeaders, Message } from 'kafkajs';

/**
 * Above this many bytes a message is not copied whole into a `.dlq`: with the dead letter's
 * headers it could exceed the broker's limit (message.max.bytes, 1 MiB by default), the produce
 * would fail for good, and the consumer could never move past the message (a blocked partition).
 */
export const DEAD_LETTER_VALUE_LIMIT_BYTES = 1_000_000;
/** How much of an oversized value the dead letter keeps (the whole message stays at its source offset). */
export const DEAD_LETTER_KEPT_BYTES = 100_000;

/**
 * The `.dlq` record of a message a consumer gave up on: the original key, value and headers plus
 * the reason headers. An oversized value is cut to its first DEAD_LETTER_KEPT_BYTES and says so
 * (`dlq-value-truncated-from`: the original size in bytes).
 */
export function deadLetterRecord(
  original: { key: Buffer | string | null; value: Buffer | string | null; headers?: IHeaders },
  reason: Record<string, string>,
): Message {
  const value = typeof original.value === 'string' ? Buffer.from(original.value) : original.value;
  const oversized = value !== null && value.length > DEAD_LETTER_VALUE_LIMIT_BYTES;
  return {
    key: original.key,
    value: oversized ? value.subarray(0, DEAD_LETTER_KEPT_BYTES) : value,
    headers: {
      ...original.headers,
      ...reason,
      ...(oversized ? { 'dlq-value-truncated-from': String(value.length) } : {}),
    },
  };
}
