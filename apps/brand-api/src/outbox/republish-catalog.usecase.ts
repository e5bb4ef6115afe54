import { Topics } from '@app/contracts';
import { Outgoing } from '@app/kafka';
import { Injectable, Logger } from '@nestjs/common';
import { ApiKeyRepository } from '../auth/api-key.repository';
import { toBrandSettingsEvent } from '../brands/brand-settings';
import { toApiKeyIssued } from '../keys/api-key.events';
import { BrandRepository } from '../brands/brand.repository';
import { toChannelConnected } from '../channels/channel.view';
import { ChannelRepository } from '../channels/channel.repository';
import { OfferRepository } from '../offers/offer.repository';
import { toOfferSnapshot } from '../offers/offer.view';
import { TransactionRunner, Tx } from '../persistence/transaction-runner';
import { StoreRepository } from '../stores/store.repository';
import { toStoreSnapshot } from '../stores/store.view';
import { OutboxWriter } from './outbox-writer';

const PAGE = 1_000;

export interface RepublishReport {
  stores: number;
  offers: number;
  channels: number;
  brands: number;
  apiKeys: number;
}

/**
 * Republishes the whole catalog (every brand's settings, channel, active API key — its hash —,
 * store and offer at its current version) so that projections can be rebuilt. It goes through the outbox: each page is read under a share lock
 * and its events appended in the same transaction, so a concurrent change of an entity commits
 * (and is published) after the republished snapshot, never before it. Consumers that already
 * hold a version ignore the same version again.
 */
@Injectable()
export class RepublishCatalog {
  private readonly logger = new Logger(RepublishCatalog.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly stores: StoreRepository,
    private readonly offers: OfferRepository,
    private readonly channels: ChannelRepository,
    private readonly brands: BrandRepository,
    private readonly apiKeys: ApiKeyRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(): Promise<RepublishReport> {
    const report: RepublishReport = { stores: 0, offers: 0, channels: 0, brands: 0, apiKeys: 0 };
    report.brands = await this.tx.run(async (tx) => {
      const all = await this.brands.withSettings(tx);
      const now = new Date();
      await this.outbox.append(tx, all.map((b) => this.outbox.event(Topics.BrandCatalog, 'brand.settings-updated', toBrandSettingsEvent(b, now))));
      return all.length;
    });
    report.channels = await this.tx.run(async (tx) => {
      const all = await this.channels.allLocked(tx);
      await this.outbox.append(tx, all.map((c) => this.outbox.event(Topics.ChannelCatalog, 'channel.connected', toChannelConnected(c))));
      return all.length;
    });
    report.apiKeys = await this.tx.run(async (tx) => {
      const all = await this.apiKeys.allActiveLocked(tx);
      await this.outbox.append(tx, all.map((k) => this.outbox.event(Topics.ApiKeyCatalog, 'api-key.issued', toApiKeyIssued(k))));
      return all.length;
    });
    report.stores = await this.pages((tx, after) => this.stores.pageAllLocked(tx, after, PAGE), (s) =>
      this.outbox.event(Topics.StoreCatalog, 'store.upserted', toStoreSnapshot(s)),
    );
    report.offers = await this.pages((tx, after) => this.offers.pageAllLocked(tx, after, PAGE), (o) =>
      this.outbox.event(Topics.OfferCatalog, 'offer.upserted', toOfferSnapshot(o)),
    );
    this.outbox.flush();
    this.logger.log(report, 'catalog republished to the outbox');
    return report;
  }

  private async pages<T extends { id: string }>(
    read: (tx: Tx, after: string | null) => Promise<T[]>,
    toEvent: (row: T) => Outgoing,
  ): Promise<number> {
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const rows: T[] = await this.tx.run(async (tx) => {
        const page = await read(tx, after);
        await this.outbox.append(tx, page.map(toEvent));
        return page;
      });
      total += rows.length;
      this.outbox.flush();
      if (rows.length < PAGE) return total;
      after = rows[rows.length - 1].id;
    }
  }
}
