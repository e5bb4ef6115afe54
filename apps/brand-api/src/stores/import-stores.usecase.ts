import { Geofence, Topics } from '@app/contracts';
import { FieldProblem, fieldProblems } from '@app/http';
import type { StoreEntity } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner } from '../persistence/transaction-runner';
import { ImportStoreItem } from './store.dto';
import { NewStore, StoreRepository } from './store.repository';
import { FieldWarning, storeColumns, storeWarnings, toStoreSnapshot } from './store.view';

/** Stores written per transaction: big enough to be fast, small enough to keep locks short. */
export const IMPORT_BATCH = 1_000;
/**
 * Fence positions written per transaction. A batch's SQL parameter, its rows and its events are
 * built and checked in one synchronous stretch each: 300 stores of 2,000 positions (~14 MB) held
 * the event loop for ~1 s of CPU; 50 of them take a sixth of that. Circles weigh nothing here.
 */
export const IMPORT_BATCH_POSITIONS = 100_000;
/** Batches in flight at once (each its own transaction and connection). */
const PARALLEL_BATCHES = 3;

export interface RejectedStore {
  /** Position in the request's `stores` array. */
  index: number;
  externalId: string | null;
  errors: FieldProblem[];
}

export interface ImportReport {
  received: number;
  created: number;
  updated: number;
  /** Re-imported exactly as stored: no new version, no event. */
  unchanged: number;
  rejected: RejectedStore[];
  /** Advice on accepted stores (e.g. the opening_hours library's), at most MAX_REPORTED_WARNINGS. */
  warnings: (FieldWarning & { index: number; externalId: string })[];
}

const MAX_REPORTED_WARNINGS = 1_000;

function externalIdOf(raw: unknown): string | null {
  const value = (raw as { externalId?: unknown } | null)?.externalId;
  return typeof value === 'string' ? value : null;
}

/** Validation runs in slices of about this long, letting other requests in between. */
export const VALIDATION_SLICE_MS = 10;

export interface ValidatedImport {
  valid: NewStore[];
  /** In the request's order. */
  rejected: RejectedStore[];
  warnings: ImportReport['warnings'];
}

/**
 * Checks each store of an import on its own. A store can cost from 0.05 ms (a circle, known hours)
 * to ~25 ms (a 2,000-vertex polygon: turf's kinks is quadratic), so 20 MB of them is seconds of
 * CPU: done in one go it blocked brand-api's event loop and every other request waited (keep-alive
 * connections timed out meanwhile, "other side closed"). Every `sliceMs` it lets the loop turn.
 */
export async function validateImport(brandId: string, items: unknown[], sliceMs = VALIDATION_SLICE_MS): Promise<ValidatedImport> {
  const result: ValidatedImport = { valid: [], rejected: [], warnings: [] };
  const seen = new Map<string, number>();
  let sliceStart = performance.now();
  for (let index = 0; index < items.length; index++) {
    if (performance.now() - sliceStart >= sliceMs) {
      await setImmediate();
      sliceStart = performance.now();
    }
    const raw = items[index];
    const parsed = ImportStoreItem.safeParse(raw);
    if (!parsed.success) {
      result.rejected.push({ index, externalId: externalIdOf(raw), errors: fieldProblems(parsed.error) });
      continue;
    }
    const first = seen.get(parsed.data.externalId);
    if (first !== undefined) {
      result.rejected.push({
        index,
        externalId: parsed.data.externalId,
        errors: [{ field: 'externalId', message: `repeats the store at index ${first} of this request` }],
      });
      continue;
    }
    seen.set(parsed.data.externalId, index);
    const store = { id: randomUUID(), brandId, version: 1, ...storeColumns(parsed.data) };
    for (const warning of storeWarnings(store)) {
      if (result.warnings.length < MAX_REPORTED_WARNINGS) result.warnings.push({ index, externalId: parsed.data.externalId, ...warning });
    }
    result.valid.push(store);
  }
  return result;
}

function fencePositions(fence: Geofence): number {
  if (fence.type === 'circle') return 0;
  const polygons = fence.type === 'polygon' ? [fence.coordinates] : fence.coordinates;
  return polygons.reduce((n, rings) => n + rings.reduce((m, ring) => m + ring.length, 0), 0);
}

/** Cuts sorted stores into write batches of at most IMPORT_BATCH stores and IMPORT_BATCH_POSITIONS positions. */
export function importBatches(stores: NewStore[]): NewStore[][] {
  const batches: NewStore[][] = [];
  let batch: NewStore[] = [];
  let positions = 0;
  for (const store of stores) {
    const weight = fencePositions(store.geofence);
    if (batch.length > 0 && (batch.length >= IMPORT_BATCH || positions + weight > IMPORT_BATCH_POSITIONS)) {
      batches.push(batch);
      batch = [];
      positions = 0;
    }
    batch.push(store);
    positions += weight;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Bulk upsert by externalId. Each store is validated on its own (a bad one is rejected with its
 * reasons, the others go in); valid stores are written in batches, each batch one transaction
 * with its outbox events, so a re-import updates and never duplicates.
 */
@Injectable()
export class ImportStores {
  private readonly logger = new Logger(ImportStores.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly stores: StoreRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(brandId: string, items: unknown[]): Promise<ImportReport> {
    const startedAt = performance.now();
    const { valid, rejected, warnings } = await validateImport(brandId, items);
    const report: ImportReport = { received: items.length, created: 0, updated: 0, unchanged: 0, rejected, warnings };
    // One lock order for every import, so two concurrent imports of a brand never deadlock.
    valid.sort((a, b) => ((a.externalId ?? '') < (b.externalId ?? '') ? -1 : 1));

    const validatedAt = performance.now();
    // Sorted and cut into disjoint externalId ranges, batches can be written side by side.
    const batches = importBatches(valid);
    let next = 0;
    const writer = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++];
        const written = await this.writeBatch(brandId, batch);
        const created = written.filter((w) => w.created).length;
        report.created += created;
        report.updated += written.length - created;
        report.unchanged += batch.length - written.length;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, writer));
    this.logger.log(
      {
        brandId,
        received: report.received,
        created: report.created,
        updated: report.updated,
        rejected: report.rejected.length,
        validateMs: Math.round(validatedAt - startedAt),
        writeMs: Math.round(performance.now() - validatedAt),
      },
      'stores imported',
    );
    return report;
  }

  private async writeBatch(brandId: string, batch: NewStore[]): Promise<{ store: StoreEntity; created: boolean }[]> {
    const written = await this.tx.run(async (tx) => {
      const rows = await this.stores.upsertByExternalId(tx, brandId, batch);
      await this.outbox.append(
        tx,
        rows.map(({ store }) => this.outbox.event(Topics.StoreCatalog, 'store.upserted', toStoreSnapshot(store))),
      );
      return rows;
    });
    this.outbox.flush();
    return written;
  }
}
