import { CoalescingPublisher, Outgoing, TransientError } from '@app/kafka';

/**
 * Publishes and waits for Kafka's acknowledgement, but no longer than `timeoutMs`: the caller
 * answers 503 (through the HTTP filter) instead of hanging, and its client retries. Concurrent
 * requests share produce requests (CoalescingPublisher), so a busy gateway is not held to one
 * acknowledgement round trip per webhook. Events still queued when the time is up are dropped
 * (CoalescingPublisher.publishWithin): what was answered 503 is never published later behind
 * Meta's back, and an overloaded gateway's queue holds no more than `timeoutMs` of input.
 */
export async function publishWithin(publisher: CoalescingPublisher, outgoing: Outgoing[], timeoutMs: number): Promise<void> {
  try {
    await publisher.publishWithin(outgoing, timeoutMs);
  } catch (error) {
    throw error instanceof TransientError ? error : new TransientError('Kafka could not take the events', { cause: error });
  }
}
