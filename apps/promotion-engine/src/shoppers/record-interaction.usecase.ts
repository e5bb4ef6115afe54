import { ShopperInteraction } from '@app/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { CatalogRepository } from '../catalog/catalog.repository';
import { ENGINE_POLICY, EnginePolicy } from '../engine-policy';
import { InterestClassifier } from '../interests/interest-classifier';
import { reinforce } from '../interests/interest-profile';
import { InterestProfileRepository } from '../interests/interest-profile.repository';
import { ShopperStateRepository } from './shopper-state.repository';

const CLASSIFIED_KINDS = new Set<ShopperInteraction['kind']>(['text', 'quick_reply']);

/**
 * Records what a shopper's interaction tells the engine: the Messenger window, consent, locale
 * and time zone; and, for what they wrote, the interests it shows among those the brand's offers
 * target (added to their decaying interest profile).
 */
@Injectable()
export class RecordInteraction {
  private readonly classifiers = new Map<string, InterestClassifier>();

  constructor(
    private readonly shoppers: ShopperStateRepository,
    private readonly interests: InterestProfileRepository,
    private readonly catalog: CatalogRepository,
    @Inject(ENGINE_POLICY) private readonly policy: EnginePolicy,
  ) {}

  async execute(interaction: ShopperInteraction): Promise<void> {
    await this.shoppers.record(interaction);
    if (!interaction.text || interaction.command || !CLASSIFIED_KINDS.has(interaction.kind)) return;
    const classifier = await this.classifierFor(interaction.brandId);
    if (!classifier) return;
    const signal = classifier.classify(interaction.text);
    if (Object.keys(signal).length === 0) return;
    const atMs = Date.parse(interaction.at);
    const profile = await this.interests.get(interaction.brandId, interaction.shopperId);
    await this.interests.save(interaction.brandId, interaction.shopperId, reinforce(profile, signal, atMs, this.policy.interestDecay), this.policy.interestTtlSeconds);
  }

  /** The brand's target categories are its offers' audience interests; one classifier per set. */
  private async classifierFor(brandId: string): Promise<InterestClassifier | null> {
    const offers = await this.catalog.offersOfBrand(brandId);
    const categories = [...new Set(offers.flatMap((o) => o.audience?.interests ?? []).map((c) => c.toLowerCase()))].sort();
    if (categories.length === 0) return null;
    const key = categories.join('\u0000');
    let classifier = this.classifiers.get(key);
    if (!classifier) {
      if (this.classifiers.size > 1000) this.classifiers.clear();
      classifier = new InterestClassifier(categories);
      this.classifiers.set(key, classifier);
    }
    return classifier;
  }
}
