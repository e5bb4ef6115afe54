import type { MessagingEvent } from './webhook-events';

/**
 * Receipts for accepted sends, as Meta batches them: per Page and shopper, one `delivery` event
 * carrying the delivered mids and a watermark, later one `read` event with the watermark. Pure;
 * times are passed in.
 */
export interface PendingSend {
  pageId: string;
  psid: string;
  mid: string;
  atMs: number;
}

export function receiptEvents(kind: 'delivery' | 'read', sends: readonly PendingSend[], nowMs: number): Map<string, MessagingEvent[]> {
  const byShopper = new Map<string, PendingSend[]>();
  for (const send of sends) {
    const key = `${send.pageId}\u0000${send.psid}`;
    byShopper.set(key, [...(byShopper.get(key) ?? []), send]);
  }
  const byPage = new Map<string, MessagingEvent[]>();
  for (const group of byShopper.values()) {
    const { pageId, psid } = group[0];
    const watermark = Math.max(...group.map((s) => s.atMs));
    const head = { sender: { id: psid }, recipient: { id: pageId }, timestamp: nowMs };
    const event: MessagingEvent =
      kind === 'delivery'
        ? { ...head, delivery: { mids: group.map((s) => s.mid), watermark } }
        : { ...head, read: { watermark } };
    byPage.set(pageId, [...(byPage.get(pageId) ?? []), event]);
  }
  return byPage;
}
