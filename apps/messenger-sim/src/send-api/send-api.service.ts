import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultInjector } from '../faults/fault-injector';
import { newMid } from '../ids';
import { SendLog } from '../inspection/send-log';
import { SimStats } from '../inspection/sim-stats';
import { PageRegistry } from '../pages/page-registry';
import { ReceiptScheduler } from '../pages/receipt-scheduler';
import { GraphError, GraphErrorBody, GraphErrors, graphErrorBody } from './graph-error';
import { checkAccess, checkRecipient } from './send-policy';
import { parseSendRequest } from './send-request';

export interface SendCall {
  version: string;
  /** `me` or a Page id. */
  pathPage: string;
  token: string | undefined;
  body: unknown;
  /** The caller's W3C trace context, kept with the send so tests can follow a trace end to end. */
  traceparent?: string;
}

export type SendSuccess = { recipient_id: string; message_id: string } | { recipient_id: string };
export interface SendOutcome {
  status: number;
  body: SendSuccess | GraphErrorBody;
}

const GRAPH_VERSION = /^v\d+\.\d+$/;

/**
 * The Graph API Send endpoint. Order: unknown path, injected latency, injected faults, token,
 * Page restriction, body, recipient, window; the first failure answers. Lean on purpose
 * (benchmarks call it thousands of times a second): no exceptions, no I/O, no per-call logs.
 */
@Injectable()
export class SendApiService {
  constructor(
    private readonly registry: PageRegistry,
    private readonly faults: FaultInjector,
    private readonly log: SendLog,
    private readonly stats: SimStats,
    private readonly receipts: ReceiptScheduler,
  ) {}

  async send(call: SendCall): Promise<SendOutcome> {
    if (!GRAPH_VERSION.test(call.version))
      return this.reject(GraphErrors.unknownPath(`/${call.version}`));
    const latencyMs = this.faults.latencyMs;
    if (latencyMs > 0) await sleep(latencyMs);

    const owner = call.token ? this.registry.byAccessToken(call.token) : undefined;
    const pageKey = call.pathPage === 'me' ? (owner?.pageId ?? '(unknown)') : call.pathPage;
    const nowMs = Date.now();
    this.stats.call(pageKey, nowMs);
    const refused =
      this.faults.draw(pageKey, nowMs, Math.random()) ??
      checkAccess({
        pathPage: call.pathPage,
        token: call.token,
        owner,
        restricted: owner !== undefined && this.faults.isRestricted(owner.pageId),
      });
    if (refused || !owner) return this.reject(refused ?? GraphErrors.invalidToken());

    const parsed = parseSendRequest(call.body);
    if (!parsed.ok) return this.reject(parsed.error);
    const { request } = parsed;
    const recipientRefused = checkRecipient(
      request,
      this.registry.shopper(owner.pageId, request.recipientId),
      nowMs,
    );
    if (recipientRefused) return this.reject(recipientRefused);

    if (request.senderAction) {
      this.stats.sendAccepted('sender_action');
      return { status: 200, body: { recipient_id: request.recipientId } };
    }
    const messageId = newMid();
    this.log.record({
      messageId,
      pageId: owner.pageId,
      recipientId: request.recipientId,
      receivedAt: nowMs,
      messagingType: request.messagingType,
      tag: request.tag,
      body: request.body,
      ...(call.traceparent ? { traceparent: call.traceparent } : {}),
    });
    this.stats.sendAccepted('message');
    this.receipts.accepted({ pageId: owner.pageId, psid: request.recipientId, mid: messageId, atMs: nowMs });
    return { status: 200, body: { recipient_id: request.recipientId, message_id: messageId } };
  }

  private reject(error: GraphError): SendOutcome {
    this.stats.sendRejected(error);
    return { status: error.httpStatus, body: graphErrorBody(error) };
  }
}
