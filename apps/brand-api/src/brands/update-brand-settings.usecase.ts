import { Topics } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner } from '../persistence/transaction-runner';
import { BrandRepository } from './brand.repository';
import { BrandSettingsBody, BrandSettingsView, toBrandSettingsEvent, toBrandSettingsView } from './brand-settings';

/** Stores the brand's settings and publishes them on catalog.brand.v1 for the promotion engine. */
@Injectable()
export class UpdateBrandSettings {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly brands: BrandRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async execute(brandId: string, body: BrandSettingsBody): Promise<BrandSettingsView> {
    const saved = await this.tx.run(async (tx) => {
      const brand = await this.brands.saveSettings(tx, brandId, body.quietHours);
      await this.outbox.append(tx, [
        this.outbox.event(Topics.BrandCatalog, 'brand.settings-updated', toBrandSettingsEvent(brand, this.clock.now())),
      ]);
      return brand;
    });
    this.outbox.flush();
    return toBrandSettingsView(saved);
  }
}
