import { Injectable } from '@nestjs/common';
import { FaultInjector } from '../faults/fault-injector';
import { PageRegistry } from '../pages/page-registry';
import { ReceiptScheduler } from '../pages/receipt-scheduler';
import { AcceptedSend, SendLog } from './send-log';
import { SimStats, StatsView } from './sim-stats';

export interface InboxMessage {
  messageId: string;
  receivedAt: string;
  messagingType: string;
  body: Record<string, unknown>;
  traceparent?: string;
}

export interface PageSend extends InboxMessage {
  recipientId: string;
}

/** What tests and benchmarks read back: inboxes, a Page's sends, counts; and the reset of everything. */
@Injectable()
export class InspectionService {
  constructor(
    private readonly log: SendLog,
    private readonly simStats: SimStats,
    private readonly registry: PageRegistry,
    private readonly faults: FaultInjector,
    private readonly receipts: ReceiptScheduler,
  ) {}

  inbox(pageId: string, psid: string): { messages: InboxMessage[] } {
    return { messages: this.log.inbox(pageId, psid).map(inboxMessage) };
  }

  sends(pageId: string): { sends: PageSend[] } {
    return {
      sends: this.log
        .ofPage(pageId)
        .map((send) => ({ ...inboxMessage(send), recipientId: send.recipientId })),
    };
  }

  stats(): StatsView & { stored: number; evicted: number } {
    return { ...this.simStats.view(), stored: this.log.stored, evicted: this.log.evicted };
  }

  reset(): void {
    this.registry.clear();
    this.log.clear();
    this.simStats.reset();
    this.faults.clear();
    this.receipts.clear();
  }
}

function inboxMessage(send: AcceptedSend): InboxMessage {
  return {
    messageId: send.messageId,
    receivedAt: new Date(send.receivedAt).toISOString(),
    messagingType: send.messagingType,
    body: send.body,
    ...(send.traceparent ? { traceparent: send.traceparent } : {}),
  };
}
