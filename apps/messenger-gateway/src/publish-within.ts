import { CoalescingPublisher, Outgoing, TransientError } from '@app/kafka';

/**
 * Publishes and waits for Kafka's acknowledgement, but no longer than `timeoutMs`: the caller
 * answers 503 (through the HTTP filter) instead of hanging, and its client retries. Concurrent
 * requests share produce requests (CoalescingPublisher), so a busy gateway is not held to one
 * acknowledgement round trip per webhook.
 */
export async function publishWithin(publisher: CoalescingPublisher, outgoing: Outgoing[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransientError(`Kafka did not acknowledge within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([publisher.publishAll(outgoing), timeout]);
  } catch (error) {
    throw error instanceof TransientError ? error : new TransientError('Kafka could not take the events', { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
