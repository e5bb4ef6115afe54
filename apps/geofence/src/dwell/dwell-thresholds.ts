import type { OfferSnapshot } from '@app/contracts';

/** What the geofence keeps of a dwell offer: how long it asks the shopper to stay, and where. */
export interface DwellOffer {
  dwellSeconds: number;
  /** Empty: every store of the brand. */
  storeIds: string[];
}

/**
 * The dwell an offer makes the geofence watch for, or null. Only `active` dwell offers count: a
 * draft, paused or ended offer cannot be sent, and its status changes only through a new snapshot
 * on catalog.offer.v1, which the projection applies. The offer's time window is not read here (it
 * opens and closes without an event); the engine judges it, as it judges everything else.
 */
export function dwellOfferOf(offer: OfferSnapshot): DwellOffer | null {
  if (offer.trigger !== 'dwell' || offer.dwellSeconds === null || offer.status !== 'active') return null;
  return { dwellSeconds: offer.dwellSeconds, storeIds: offer.storeIds };
}

const ascending = (set: Set<number>) => [...set].sort((a, b) => a - b);

/** A brand's dwell thresholds per store, ascending and distinct; built once per projection version. */
export class BrandDwellThresholds {
  static readonly NONE = new BrandDwellThresholds([]);
  private readonly brandWide: readonly number[];
  private readonly perStore = new Map<string, readonly number[]>();

  constructor(offers: Iterable<DwellOffer>) {
    const wide = new Set<number>();
    const byStore = new Map<string, Set<number>>();
    for (const o of offers) {
      if (o.storeIds.length === 0) wide.add(o.dwellSeconds);
      for (const storeId of o.storeIds) {
        const set = byStore.get(storeId) ?? new Set<number>();
        set.add(o.dwellSeconds);
        byStore.set(storeId, set);
      }
    }
    this.brandWide = ascending(wide);
    for (const [storeId, set] of byStore) this.perStore.set(storeId, ascending(new Set([...set, ...wide])));
  }

  /** The dwell times (s) after which a shopper inside the store may get a dwell offer. */
  forStore(storeId: string): readonly number[] {
    return this.perStore.get(storeId) ?? this.brandWide;
  }
}
