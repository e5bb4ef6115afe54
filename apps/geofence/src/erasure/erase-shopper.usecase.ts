import { EventOf, Topics } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { VisitStateRepository } from '../locations/visit-state.repository';

/** Forgets a shopper's last fix, open visits and pending exits (shopper.erasure.v1). No exit is emitted. */
@Injectable()
export class EraseShopper {
  constructor(private readonly visits: VisitStateRepository) {}

  async execute(event: EventOf<typeof Topics.ShopperErasure>): Promise<void> {
    await this.visits.erase(event.data.shopperId);
  }
}
