/**
 * A value made once per (offer, reason) and reused by every later decision: the engine's hot path
 * shares its explanation lines and the decision log's packed fragments this way. Bounded: past
 * `maxOffers` offers it starts again empty (offers come and go; a store's few hundred recur).
 * `make` is a module-level function, so a lookup allocates nothing.
 */
export class OfferReasonMemo<V> {
  private readonly byOffer = new Map<string, Map<string, V>>();

  constructor(
    private readonly make: (offerId: string, reason: string) => V,
    private readonly maxOffers = 50_000,
  ) {}

  get(offerId: string, reason: string): V {
    let byReason = this.byOffer.get(offerId);
    if (!byReason) {
      if (this.byOffer.size >= this.maxOffers) this.byOffer.clear();
      byReason = new Map();
      this.byOffer.set(offerId, byReason);
    }
    let value = byReason.get(reason);
    if (value === undefined) {
      value = this.make(offerId, reason);
      byReason.set(reason, value);
    }
    return value;
  }
}
