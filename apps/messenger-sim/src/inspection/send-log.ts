import { Inject, Injectable } from '@nestjs/common';
import type { MessageTag, MessagingType } from '../send-api/send-request';

export const MAX_STORED_SENDS = 'MAX_STORED_SENDS';

export interface AcceptedSend {
  messageId: string;
  pageId: string;
  recipientId: string;
  receivedAt: number;
  messagingType: MessagingType;
  tag?: MessageTag;
  /** The Send API body as received, without `access_token`. */
  body: Record<string, unknown>;
  /** The `traceparent` header of the call, when the sender traced it. */
  traceparent?: string;
}

/** A send as kept: its body as the JSON text, a third of the memory of the parsed object graph. */
type StoredSend = Omit<AcceptedSend, 'body'> & { bodyJson: string };

/**
 * The messages the Send API accepted, per Page and per shopper, oldest first. Bounded: beyond
 * `max` the oldest are dropped, so a long benchmark cannot exhaust memory. Bodies are kept as JSON
 * text and parsed when read (inspection only): `make bench` leaves ~15,000 generic templates here,
 * which as objects took the simulator's RSS to 200 MB.
 */
@Injectable()
export class SendLog {
  private queue: (StoredSend | undefined)[] = [];
  private head = 0;
  private dropped = 0;
  private readonly byPage = new Map<string, StoredSend[]>();
  private readonly byShopper = new Map<string, StoredSend[]>();

  constructor(@Inject(MAX_STORED_SENDS) private readonly max: number) {}

  record(send: AcceptedSend): void {
    const { body, ...rest } = send;
    const stored: StoredSend = { ...rest, bodyJson: JSON.stringify(body) };
    this.queue.push(stored);
    listOf(this.byPage, send.pageId).push(stored);
    listOf(this.byShopper, shopperKey(send.pageId, send.recipientId)).push(stored);
    if (this.queue.length - this.head > this.max) this.dropOldest();
  }

  inbox(pageId: string, psid: string): AcceptedSend[] {
    return (this.byShopper.get(shopperKey(pageId, psid)) ?? []).map(accepted);
  }

  ofPage(pageId: string): AcceptedSend[] {
    return (this.byPage.get(pageId) ?? []).map(accepted);
  }

  get stored(): number {
    return this.queue.length - this.head;
  }

  get evicted(): number {
    return this.dropped;
  }

  clear(): void {
    this.queue = [];
    this.head = 0;
    this.dropped = 0;
    this.byPage.clear();
    this.byShopper.clear();
  }

  private dropOldest(): void {
    const oldest = this.queue[this.head];
    this.queue[this.head] = undefined;
    this.head += 1;
    this.dropped += 1;
    if (oldest) {
      // The globally oldest send is also the oldest of its Page and of its shopper.
      this.byPage.get(oldest.pageId)?.shift();
      this.byShopper.get(shopperKey(oldest.pageId, oldest.recipientId))?.shift();
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

function accepted({ bodyJson, ...rest }: StoredSend): AcceptedSend {
  return { ...rest, body: JSON.parse(bodyJson) as Record<string, unknown> };
}

function shopperKey(pageId: string, psid: string): string {
  return `${pageId}\u0000${psid}`;
}

function listOf<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}
