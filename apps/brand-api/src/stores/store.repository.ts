import { StoreEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, MoreThan, Repository } from 'typeorm';
import type { Tx } from '../persistence/transaction-runner';
import type { NearFilter } from './store.dto';

export type NewStore = Omit<StoreEntity, 'createdAt' | 'updatedAt'>;
export type StoreChanges = Partial<Omit<StoreEntity, 'id' | 'brandId' | 'version' | 'createdAt' | 'updatedAt'>>;

export interface StoreListFilter {
  after: string | null;
  limit: number;
  tag?: string;
  near?: NearFilter;
}

const EARTH_RADIUS_M = 6_371_008.8;
const M_PER_DEGREE_LAT = 111_320;

interface StoreRow {
  id: string;
  brand_id: string;
  external_id: string | null;
  name: string;
  lat: number;
  lng: number;
  geofence: StoreEntity['geofence'];
  timezone: string;
  opening_hours: string | null;
  tags: string[];
  country: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  created: boolean;
}

function fromRow(r: StoreRow): StoreEntity {
  return Object.assign(new StoreEntity(), {
    id: r.id,
    brandId: r.brand_id,
    externalId: r.external_id,
    name: r.name,
    lat: r.lat,
    lng: r.lng,
    geofence: r.geofence,
    timezone: r.timezone,
    openingHours: r.opening_hours,
    tags: r.tags,
    country: r.country,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}

@Injectable()
export class StoreRepository {
  constructor(@InjectRepository(StoreEntity) private readonly repo: Repository<StoreEntity>) {}

  async insert(tx: Tx, store: NewStore): Promise<StoreEntity> {
    const repo = tx.getRepository(StoreEntity);
    await repo.insert(store);
    return repo.findOneByOrFail({ id: store.id });
  }

  /** A brand's store; another brand's store is as good as missing. */
  findOfBrand(brandId: string, id: string): Promise<StoreEntity | null> {
    return this.repo.findOne({ where: { brandId, id } });
  }

  /** The brand's store, locked for the rest of the transaction (writes to one store serialise). */
  lockOfBrand(tx: Tx, brandId: string, id: string): Promise<StoreEntity | null> {
    return tx.getRepository(StoreEntity).findOne({ where: { brandId, id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(tx: Tx, store: StoreEntity, changes: StoreChanges): Promise<StoreEntity> {
    const repo = tx.getRepository(StoreEntity);
    await repo.update({ id: store.id }, { ...changes, version: store.version + 1 });
    return repo.findOneByOrFail({ id: store.id });
  }

  async delete(tx: Tx, id: string): Promise<void> {
    await tx.getRepository(StoreEntity).delete({ id });
  }

  /**
   * Which of `ids` are the brand's stores. In a transaction the rows are key-share locked until it
   * ends, so a concurrent deletion of one of them waits and then sees the offer that names it.
   */
  async existingIdsOfBrand(brandId: string, ids: string[], tx?: Tx): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await (tx ? tx.getRepository(StoreEntity) : this.repo).find({
      select: { id: true },
      where: { brandId, id: In(ids) },
      ...(tx ? { lock: { mode: 'for_key_share' as const } } : {}),
    });
    return new Set(rows.map((r) => r.id));
  }

  findByExternalId(brandId: string, externalId: string, tx: Tx): Promise<StoreEntity | null> {
    return tx.getRepository(StoreEntity).findOne({ where: { brandId, externalId } });
  }

  /** A page of every brand's stores in id order, locked against changes until the transaction ends. */
  pageAllLocked(tx: Tx, after: string | null, limit: number): Promise<StoreEntity[]> {
    return tx.getRepository(StoreEntity).find({
      where: after ? { id: MoreThan(after) } : {},
      order: { id: 'ASC' },
      take: limit,
      lock: { mode: 'pessimistic_read' },
    });
  }

  /** One page of the brand's stores in id order, optionally with a tag and/or near a point. */
  async list(brandId: string, filter: StoreListFilter): Promise<StoreEntity[]> {
    const qb = this.repo
      .createQueryBuilder('s')
      .where('s.brand_id = :brandId', { brandId })
      .orderBy('s.id', 'ASC')
      .limit(filter.limit + 1);
    if (filter.after) qb.andWhere('s.id > :after', { after: filter.after });
    if (filter.tag) qb.andWhere('s.tags @> ARRAY[:tag]::text[]', { tag: filter.tag });
    if (filter.near) {
      const { lat, lng, radiusM } = filter.near;
      const dLat = radiusM / M_PER_DEGREE_LAT;
      qb.andWhere('s.lat BETWEEN :minLat AND :maxLat', { minLat: lat - dLat, maxLat: lat + dLat });
      const dLng = radiusM / (M_PER_DEGREE_LAT * Math.max(Math.cos((lat * Math.PI) / 180), 1e-6));
      if (lng - dLng > -180 && lng + dLng < 180) {
        qb.andWhere('s.lng BETWEEN :minLng AND :maxLng', { minLng: lng - dLng, maxLng: lng + dLng });
      }
      // Haversine great-circle distance, as turf computes it.
      qb.andWhere(
        `2 * ${EARTH_RADIUS_M} * asin(sqrt(power(sin(radians(s.lat - :lat) / 2), 2) +
          cos(radians(:lat)) * cos(radians(s.lat)) * power(sin(radians(s.lng - :lng) / 2), 2))) <= :radiusM`,
        { lat, lng, radiusM },
      );
    }
    return qb.getMany();
  }

  /**
   * Inserts or updates stores by (brand, externalId) in one statement. A store whose fields did
   * not change is left alone (no new version, no event). Returns the stores written, each with
   * whether it was created. Callers sort by externalId so concurrent imports lock in one order.
   */
  async upsertByExternalId(tx: Tx, brandId: string, stores: NewStore[]): Promise<{ store: StoreEntity; created: boolean }[]> {
    if (stores.length === 0) return [];
    const rows: StoreRow[] = await tx.query(
      `INSERT INTO stores AS s (id, brand_id, external_id, name, lat, lng, geofence, timezone, opening_hours, tags, country, version)
       SELECT x.id, $2::uuid, x.external_id, x.name, x.lat, x.lng, x.geofence, x.timezone, x.opening_hours,
              ARRAY(SELECT jsonb_array_elements_text(x.tags)), x.country, 1
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, external_id text, name text, lat float8, lng float8,
            geofence jsonb, timezone text, opening_hours text, tags jsonb, country text)
       ON CONFLICT (brand_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
         name = EXCLUDED.name, lat = EXCLUDED.lat, lng = EXCLUDED.lng, geofence = EXCLUDED.geofence,
         timezone = EXCLUDED.timezone, opening_hours = EXCLUDED.opening_hours, tags = EXCLUDED.tags,
         country = EXCLUDED.country, version = s.version + 1, updated_at = now()
       WHERE (s.name, s.lat, s.lng, s.geofence, s.timezone, s.opening_hours, s.tags, s.country)
         IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.lat, EXCLUDED.lng, EXCLUDED.geofence, EXCLUDED.timezone,
                           EXCLUDED.opening_hours, EXCLUDED.tags, EXCLUDED.country)
       RETURNING s.*, (s.xmax = 0) AS created`,
      [
        JSON.stringify(
          stores.map((s) => ({
            id: s.id,
            external_id: s.externalId,
            name: s.name,
            lat: s.lat,
            lng: s.lng,
            geofence: s.geofence,
            timezone: s.timezone,
            opening_hours: s.openingHours,
            tags: s.tags,
            country: s.country,
          })),
        ),
        brandId,
      ],
    );
    return rows.map((r) => ({ store: fromRow(r), created: r.created }));
  }
}
