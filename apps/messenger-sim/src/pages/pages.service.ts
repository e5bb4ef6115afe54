import { notFound } from '@app/http';
import { BadGatewayException, GatewayTimeoutException, Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { newChallenge, newMid } from '../ids';
import { SimStats } from '../inspection/sim-stats';
import { handshakeProblem, truncate } from './handshake';
import { SignatureMode, metaJson, signatureHeaders } from './meta-signature';
import { PageRegistry, SimPage } from './page-registry';
import type { RegisterPageBody, ShopperEventBody } from './pages.dto';
import { MessagingEvent, carriesMid, interactionsIn, messagingEvent, pageWebhook } from './webhook-events';
import { WEBHOOK_RETRY_DELAYS_MS, WebhookClient } from './webhook.client';

export interface WebhookDelivery {
  /** The status of the last try (Meta retries a failed delivery a few times at once). */
  webhookStatus: number;
  /** Every try's status, 0 when the webhook could not be reached or timed out. */
  attempts: number[];
  /** The start of what the webhook answered, to see why it refused. */
  webhookBody: string;
}

export interface ShopperEventResult extends WebhookDelivery {
  /** The event's message id (messages and postbacks); null for optin, read and delivery. */
  mid: string | null;
}

export interface ShopperView {
  pageId: string;
  psid: string;
  lastInteractionAt: string | null;
}

/**
 * Meta's side of a Page's webhook: the subscription handshake, and shopper events delivered as
 * signed webhooks. A shopper is known to the Page (and their window opened) before the webhook is
 * called, so a gateway answering inside its webhook handler can already reply.
 */
@Injectable()
export class PagesService {
  constructor(
    private readonly registry: PageRegistry,
    private readonly client: WebhookClient,
    private readonly stats: SimStats,
    @Inject(WEBHOOK_RETRY_DELAYS_MS) private readonly retryDelaysMs: readonly number[],
  ) {}

  async register(input: RegisterPageBody): Promise<{ pageId: string; verified: true }> {
    // Unregistered until the handshake succeeds; a failed handshake leaves it unregistered.
    this.registry.remove(input.pageId);
    const challenge = newChallenge();
    const answer = await this.client.verify(input.webhookUrl, input.verifyToken, challenge);
    const problem = handshakeProblem(answer, challenge);
    if (problem)
      throw new BadGatewayException(
        `webhook verification failed for page ${input.pageId}: ${problem}`,
      );
    this.registry.save({ ...input, registeredAt: Date.now(), deleted: false });
    return { pageId: input.pageId, verified: true };
  }

  remove(pageId: string): { pageId: string; deleted: true } {
    if (!this.registry.markDeleted(pageId)) throw notFound(`page ${pageId}`);
    return { pageId, deleted: true };
  }

  async shopperEvent(
    pageId: string,
    psid: string,
    input: ShopperEventBody,
    mode: SignatureMode,
  ): Promise<ShopperEventResult> {
    const page = this.activePage(pageId);
    const nowMs = Date.now();
    const timestampMs = input.timestampMs ?? nowMs;
    const mid = newMid();
    const event = messagingEvent(pageId, psid, input.action, { timestampMs, mid });
    this.registry.recordInteraction(pageId, psid, timestampMs, carriesMid(input.action));
    const delivery = await this.deliver(page, pageWebhook(pageId, nowMs, [event]), mode);
    return { ...delivery, mid: carriesMid(input.action) ? mid : null };
  }

  async rawWebhook(
    pageId: string,
    webhook: Record<string, unknown>,
    mode: SignatureMode,
  ): Promise<WebhookDelivery> {
    const page = this.activePage(pageId);
    for (const seen of interactionsIn(webhook, Date.now())) {
      this.registry.recordInteraction(seen.pageId, seen.psid, seen.atMs, seen.opensWindow);
    }
    return this.deliver(page, webhook, mode);
  }

  setShopper(pageId: string, psid: string, lastInteractionAt: number | string | null): ShopperView {
    this.activePage(pageId);
    const atMs =
      typeof lastInteractionAt === 'string' ? Date.parse(lastInteractionAt) : lastInteractionAt;
    const shopper = this.registry.setLastInteraction(pageId, psid, atMs);
    const at = shopper.lastInteractionAt;
    return {
      pageId,
      psid,
      lastInteractionAt: at === undefined ? null : new Date(at).toISOString(),
    };
  }

  private activePage(pageId: string): SimPage {
    const page = this.registry.activePage(pageId);
    if (!page) throw notFound(`page ${pageId}`);
    return page;
  }

  /** Signed receipts (delivery, read) for the Page's accepted sends; failures are only counted. */
  async deliverReceipts(pageId: string, events: MessagingEvent[]): Promise<void> {
    const page = this.registry.activePage(pageId);
    if (!page || events.length === 0) return;
    await this.deliver(page, pageWebhook(pageId, Date.now(), events), 'good').catch(() => undefined);
  }

  /**
   * Posts the signed webhook; a failure (no 2xx, no answer, timeout) is tried again after each of
   * the retry delays, as Meta retries at once a few times (MESSENGER.md). The exact count and
   * spacing are Meta's secret; the defaults are a guess.
   */
  private async deliver(
    page: SimPage,
    payload: unknown,
    mode: SignatureMode,
  ): Promise<WebhookDelivery> {
    const body = Buffer.from(metaJson(payload), 'utf8');
    const headers = signatureHeaders(body, page.appSecret, mode);
    const attempts: number[] = [];
    for (let i = 0; ; i += 1) {
      const answer = await this.client.post(page.webhookUrl, body, headers);
      this.stats.webhook(answer.reached ? answer.status : undefined);
      attempts.push(answer.reached ? answer.status : 0);
      const succeeded = answer.reached && answer.status >= 200 && answer.status < 300;
      if (succeeded || i >= this.retryDelaysMs.length) {
        if (!answer.reached) {
          const message = `webhook delivery failed for page ${page.pageId} after ${attempts.length} tries: ${answer.reason}`;
          throw answer.timedOut
            ? new GatewayTimeoutException(message)
            : new BadGatewayException(message);
        }
        return { webhookStatus: answer.status, attempts, webhookBody: truncate(answer.body, 2000) };
      }
      await sleep(this.retryDelaysMs[i]);
    }
  }
}
