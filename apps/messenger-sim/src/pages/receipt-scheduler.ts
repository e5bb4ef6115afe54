import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PagesService } from './pages.service';
import { PendingSend, receiptEvents } from './receipts';

export const RECEIPT_DELAYS = 'RECEIPT_DELAYS';

export interface ReceiptDelays {
  deliveryMs: number;
  readMs: number;
}

/**
 * Sends delivery and then read receipts for accepted sends back to the Page's webhook, batched
 * per flush (one webhook per Page, one event per shopper), so a benchmark's thousands of sends do
 * not become thousands of webhooks.
 */
@Injectable()
export class ReceiptScheduler implements OnApplicationShutdown {
  private pending: PendingSend[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly pages: PagesService,
    @Inject(RECEIPT_DELAYS) private readonly delays: ReceiptDelays,
  ) {}

  accepted(send: PendingSend): void {
    if (this.delays.deliveryMs === 0) return;
    this.pending.push(send);
    this.timer ??= setTimeout(() => this.flush(), this.delays.deliveryMs);
  }

  clear(): void {
    this.pending = [];
  }

  onApplicationShutdown(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const t of this.timers) clearTimeout(t);
  }

  private flush(): void {
    this.timer = null;
    const sends = this.pending;
    this.pending = [];
    void this.post('delivery', sends);
    if (this.delays.readMs > 0) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        void this.post('read', sends);
      }, this.delays.readMs);
      this.timers.add(t);
    }
  }

  private async post(kind: 'delivery' | 'read', sends: PendingSend[]): Promise<void> {
    for (const [pageId, events] of receiptEvents(kind, sends, Date.now())) {
      await this.pages.deliverReceipts(pageId, events);
    }
  }
}
