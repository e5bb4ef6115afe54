import { createHash } from 'node:crypto';

/**
 * A UUID-shaped id derived from its parts: the same input always yields the same id, so work
 * redone after a crash or a redelivery produces events a consumer recognises as the same.
 */
export function deterministicId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
