import { DeliveryStatus } from '@app/contracts';
import { dataSourceOptions } from '@app/database';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DeliveryRepository, Receipt } from '../../apps/brand-api/src/stats/delivery.repository';
import { INTEGRATION } from '../setup/integration-env';

/**
 * brand-api's stats rows against the real Postgres: statuses, receipts and clicks arrive on
 * different topics and are written by different consumers at the same moment. Whatever the
 * interleaving, a send covered by a receipt counts as delivered and read, and a clicked one as clicked.
 */
describe('delivery stats in batches (real Postgres)', () => {
  const dataSource = new DataSource(dataSourceOptions(INTEGRATION.databaseUrl));
  const deliveries = new DeliveryRepository(dataSource);
  const run = randomBytes(4).toString('hex');
  const brandId = randomUUID();

  beforeAll(() => dataSource.initialize());
  afterAll(async () => {
    await dataSource.query(`DELETE FROM deliveries WHERE brand_id = $1`, [brandId]);
    await dataSource.query(`DELETE FROM shopper_receipts WHERE shopper_id LIKE $1`, [`page${run}:%`]);
    await dataSource.query(`DELETE FROM delivery_clicks WHERE shopper_id LIKE $1`, [`page${run}:%`]);
    await dataSource.destroy();
  });

  const status = (n: number, at: Date): DeliveryStatus => ({
    shopperId: `page${run}:s${n}`, pageId: `page${run}`, psid: `s${n}`, brandId, requestId: `${run}-r${n}`, offerId: 'offer-1', storeId: 'store-1',
    status: 'sent', messageId: `m${n}`, reason: null, error: null, attempts: 1, at: at.toISOString(),
  } as DeliveryStatus);

  it('counts a send as delivered, read and clicked whichever of its status, receipts and click is written first', async () => {
    const sentAt = new Date(Date.now() - 60_000);
    const counted = async (ns: number[]) =>
      (await dataSource.query(
        `SELECT count(*)::int AS sent, count(delivered_at)::int AS delivered, count(read_at)::int AS read, count(clicked_at)::int AS clicked FROM deliveries WHERE request_id = ANY($1)`,
        [ns.map((n) => `${run}-r${n}`)],
      )) as { sent: number; delivered: number; read: number; clicked: number }[];
    // Ten rounds of 40 sends: each round writes the statuses, the receipts and the clicks at
    // once, in a different order of starting.
    for (let round = 0; round < 10; round++) {
      const ns = Array.from({ length: 40 }, (_, i) => round * 1000 + i);
      const statuses = ns.map((n) => status(n, sentAt));
      const delivered: Receipt[] = ns.map((n) => ({ shopperId: `page${run}:s${n}`, kind: 'delivery', until: new Date(sentAt.getTime() + 1000) }));
      const read: Receipt[] = ns.map((n) => ({ shopperId: `page${run}:s${n}`, kind: 'read', until: new Date(sentAt.getTime() + 2000) }));
      const writes = [
        () => deliveries.recordStatuses(statuses),
        () => deliveries.recordReceipts(delivered).then(() => deliveries.recordReceipts(read)),
        () => Promise.all(ns.map((n) => deliveries.recordClick(`page${run}:s${n}`, `${run}-r${n}`, new Date()))),
      ];
      const order = round % 2 ? [...writes].reverse() : writes;
      await Promise.all(order.map((write) => write()));
      expect(await counted(ns)).toEqual([{ sent: 40, delivered: 40, read: 40, clicked: 40 }]);
    }
  });

  it('never undoes "sent" with a later status of the same send, and applies a chunk\'s statuses in rounds', async () => {
    const at = new Date(Date.now() - 30_000);
    const sent = status(99_999, at);
    await deliveries.recordStatuses([sent, status(99_998, at)]);
    await deliveries.recordStatuses([{ ...sent, status: 'failed', reason: 'token_invalid', at: new Date().toISOString() } as DeliveryStatus]);
    const rows = (await dataSource.query(`SELECT request_id, status, reason FROM deliveries WHERE request_id = ANY($1) ORDER BY request_id`, [
      [sent.requestId, `${run}-r99998`],
    ])) as { request_id: string; status: string; reason: string | null }[];
    expect(rows.map((r) => [r.status, r.reason])).toEqual([
      ['sent', null],
      ['sent', null],
    ]);
  });
});
