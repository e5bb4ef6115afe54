import { signShareLink } from '@app/channels';
import { EventOf, Topics } from '@app/contracts';
import { Metrics } from '@app/observability';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DELIVERY_SETTINGS, DeliverySettings } from '../sending/deliver-promotion.usecase';
import { PacedSendApi } from '../sending/paced-send-api';
import { PageChannels } from '../sending/page-channels';
import { PageHealthRepository } from '../sending/page-health.repository';
import type { Lang } from '../sending/render';
import { SendLedgerRepository } from '../sending/send-ledger.repository';
import { needsReply, renderReply, replyLang } from './replies';

export const REPLY_SETTINGS = Symbol('REPLY_SETTINGS');

export interface ReplySettings {
  defaultLang: Lang;
  /** A reply not sent within this of the shopper's message is not worth sending any more. */
  maxReplyDelayMs: number;
}

/**
 * Answers a shopper's command (stop, start, nearby) once, through the same per-Page rate limit
 * as promotions. A reply is tried once: it answers a message the shopper just sent, so it is
 * inside the window; a failure is logged and counted, never retried (a late "done" is worse than none).
 */
@Injectable()
export class SendReply {
  private readonly logger = new Logger(SendReply.name);
  private readonly replies;

  constructor(
    private readonly channels: PageChannels,
    private readonly ledger: SendLedgerRepository,
    private readonly health: PageHealthRepository,
    private readonly sendApi: PacedSendApi,
    @Inject(DELIVERY_SETTINGS) private readonly delivery: DeliverySettings,
    @Inject(REPLY_SETTINGS) private readonly settings: ReplySettings,
    metrics: Metrics,
  ) {
    this.replies = metrics.counter('messenger_replies_total', 'Bot replies by command and outcome', ['command', 'outcome']);
  }

  async execute(event: EventOf<typeof Topics.ShopperInteraction>): Promise<void> {
    const interaction = event.data;
    if (!needsReply(interaction)) return;
    const command = interaction.command;
    const receivedAtMs = Date.parse(interaction.receivedAt);
    if (Date.now() - receivedAtMs > this.settings.maxReplyDelayMs) return this.count(command, 'stale');
    // The ledger makes a reply at most once, like a promotion: keyed by the interaction's event id.
    const token = randomUUID();
    if (await this.ledger.claim(`reply:${event.id}`, 1, Date.now(), token)) return this.count(command, 'duplicate');
    const channel = await this.channels.get(interaction.pageId);
    if (!channel) return this.done(event.id, command, 'page_not_connected');
    if (channel === 'unreadable') return this.done(event.id, command, 'channel_secrets_unreadable');
    const pause = await this.health.pauseOf(interaction.pageId);
    if (pause && pause.channelVersion >= channel.version) return this.done(event.id, command, 'page_paused');

    const shareUrl = `${this.delivery.gatewayPublicUrl}/share-location?t=${signShareLink(this.delivery.linkKey, interaction.pageId, interaction.psid, Date.now())}`;
    const body = renderReply(command, interaction.psid, replyLang(interaction, this.settings.defaultLang), shareUrl);
    const result = await this.sendApi.send(interaction.pageId, channel.pageAccessToken, body, receivedAtMs + this.settings.maxReplyDelayMs, () =>
      this.ledger.startSending(`reply:${event.id}`, token, Date.now()),
    );
    if (result === 'taken_over') return this.count(command, 'duplicate');
    const outcome = result === 'deadline' ? 'too_late' : result.ok ? 'sent' : `error_${result.error?.code ?? result.httpStatus}`;
    if (outcome !== 'sent') this.logger.warn({ shopperId: interaction.shopperId, command, outcome }, 'reply not sent');
    return this.done(event.id, command, outcome, result !== 'deadline' && result.ok ? result.messageId : null);
  }

  private async done(eventId: string, command: string, outcome: string, messageId: string | null = null): Promise<void> {
    await this.ledger.finish(`reply:${eventId}`, {
      state: 'done',
      status: outcome === 'sent' ? 'sent' : 'failed',
      messageId,
      reason: outcome === 'sent' ? null : outcome,
      attempts: 1,
    });
    this.count(command, outcome);
  }

  private count(command: string, outcome: string): void {
    this.replies.inc({ command, outcome });
  }
}
