import { Metrics } from '@app/observability';
import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { GraphError, errorKey } from '../send-api/graph-error';

export interface StatsView {
  totalCalls: number;
  accepted: number;
  /** Accepted sender actions (typing_on…), also counted in `accepted`. */
  senderActions: number;
  rejected: number;
  /** Rejections by `code` or `code/subcode`, e.g. {"613": 12, "10/2018278": 3}. */
  rejectedByCode: Record<string, number>;
  webhooks: { sent: number; byStatus: Record<string, number>; unreachable: number };
  /** Per Page: the most Send API calls received in one calendar second (what Meta's limit counts). */
  peakCallsPerSecondByPage: Record<string, number>;
}

/**
 * Counts for benchmarks: Send API calls by outcome, webhook deliveries by status. Kept in memory
 * (reset with the state) and mirrored to Prometheus counters (never reset).
 */
@Injectable()
export class SimStats {
  private totalCalls = 0;
  private accepted = 0;
  private senderActions = 0;
  private rejected = 0;
  private readonly rejectedByCode = new Map<string, number>();
  private webhooksSent = 0;
  private webhooksUnreachable = 0;
  private readonly webhooksByStatus = new Map<string, number>();
  private readonly perSecond = new Map<string, { second: number; count: number; peak: number }>();
  private readonly sendCalls: Counter<string>;
  private readonly webhookCalls: Counter<string>;

  constructor(metrics: Metrics) {
    this.sendCalls = metrics.counter(
      'messenger_sim_send_api_calls_total',
      'Send API calls by outcome and Graph error code',
      ['outcome', 'code'],
    );
    this.webhookCalls = metrics.counter(
      'messenger_sim_webhooks_total',
      'Webhook deliveries by HTTP status (none: unreachable)',
      ['status'],
    );
  }

  /** Every Send API call, before any check, counted per Page and calendar second. */
  call(pageKey: string, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    let w = this.perSecond.get(pageKey);
    if (!w) {
      w = { second, count: 0, peak: 0 };
      this.perSecond.set(pageKey, w);
    }
    if (w.second !== second) {
      w.second = second;
      w.count = 0;
    }
    w.count += 1;
    if (w.count > w.peak) w.peak = w.count;
  }

  sendAccepted(kind: 'message' | 'sender_action'): void {
    this.totalCalls += 1;
    this.accepted += 1;
    if (kind === 'sender_action') this.senderActions += 1;
    this.sendCalls.inc({ outcome: 'accepted', code: '' });
  }

  sendRejected(error: GraphError): void {
    const key = errorKey(error);
    this.totalCalls += 1;
    this.rejected += 1;
    this.rejectedByCode.set(key, (this.rejectedByCode.get(key) ?? 0) + 1);
    this.sendCalls.inc({ outcome: 'rejected', code: key });
  }

  webhook(status: number | undefined): void {
    if (status === undefined) this.webhooksUnreachable += 1;
    else {
      this.webhooksSent += 1;
      this.webhooksByStatus.set(
        String(status),
        (this.webhooksByStatus.get(String(status)) ?? 0) + 1,
      );
    }
    this.webhookCalls.inc({ status: status === undefined ? 'none' : String(status) });
  }

  view(): StatsView {
    return {
      totalCalls: this.totalCalls,
      accepted: this.accepted,
      senderActions: this.senderActions,
      rejected: this.rejected,
      rejectedByCode: Object.fromEntries(this.rejectedByCode),
      webhooks: {
        sent: this.webhooksSent,
        byStatus: Object.fromEntries(this.webhooksByStatus),
        unreachable: this.webhooksUnreachable,
      },
      peakCallsPerSecondByPage: Object.fromEntries([...this.perSecond].map(([page, w]) => [page, w.peak])),
    };
  }

  reset(): void {
    this.totalCalls = this.accepted = this.senderActions = this.rejected = 0;
    this.webhooksSent = this.webhooksUnreachable = 0;
    this.rejectedByCode.clear();
    this.webhooksByStatus.clear();
    this.perSecond.clear();
  }
}
