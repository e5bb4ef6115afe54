import { dataSourceOptions } from '@app/database';
import { Metrics } from '@app/observability';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PlannerStatistics } from '../../apps/brand-api/src/persistence/planner-statistics';
import { INTEGRATION } from '../setup/integration-env';

/**
 * brand-api's stand-in for autovacuum's analyze (persistence/planner-statistics.ts), against the
 * real Postgres: a table is analyzed once it changed by more than autovacuum's rule, not again
 * until it changes again, and never while another replica holds it.
 */
describe('planner statistics when autovacuum is off (real Postgres)', () => {
  const dataSource = new DataSource(dataSourceOptions(INTEGRATION.databaseUrl));
  const metrics = new Metrics('brand-api');
  const statistics = new PlannerStatistics(dataSource, 60_000, metrics);
  const table = `planner_probe_${randomBytes(4).toString('hex')}`;
  const rule = { threshold: 50, scaleFactor: 0.1 };
  let inserted = 0;

  beforeAll(async () => {
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE ${table} (id int PRIMARY KEY, shopper_id text NOT NULL)`);
  });
  afterAll(async () => {
    await dataSource.query(`DROP TABLE IF EXISTS ${table}`);
    await dataSource.destroy();
  });

  /** Inserts `n` rows and waits until the server's statistics count them as changes. */
  async function change(n: number): Promise<void> {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query(`INSERT INTO ${table} SELECT g, 'shopper-' || g FROM generate_series($1::int, $2::int) g`, [inserted + 1, inserted + n]);
      await runner.query(`SELECT pg_stat_force_next_flush()`);
    } finally {
      await runner.release();
    }
    inserted += n;
    await until(async () => (await modifiedSinceAnalyze()) >= n);
  }

  async function modifiedSinceAnalyze(): Promise<number> {
    const [row] = (await dataSource.query(`SELECT n_mod_since_analyze::int AS n FROM pg_stat_user_tables WHERE relname = $1`, [table])) as { n: number }[];
    return row?.n ?? 0;
  }

  async function analyzedCount(): Promise<number> {
    const [row] = (await dataSource.query(`SELECT analyze_count::int AS n FROM pg_stat_user_tables WHERE relname = $1`, [table])) as { n: number }[];
    return row?.n ?? 0;
  }

  async function until(check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the server\'s statistics did not catch up within 10 s');
  }

  it('reads autovacuum\'s analyze rule only when the server\'s autovacuum is off', async () => {
    const [{ autovacuum }] = (await dataSource.query(`SELECT current_setting('autovacuum') AS autovacuum`)) as { autovacuum: string }[];
    const found = await statistics.ruleWhenAutovacuumIsOff();
    if (autovacuum === 'on') expect(found).toBeNull();
    else expect(found).toEqual({ threshold: expect.any(Number), scaleFactor: expect.any(Number) });
  });

  it('analyzes a table changed by more than the rule allows, then leaves it until it changes again', async () => {
    await change(40);
    expect(await statistics.analyzeChanged(rule)).not.toContain(table);

    await change(30);
    expect(await statistics.analyzeChanged(rule)).toContain(table);
    await until(async () => (await analyzedCount()) === 1);
    const [{ reltuples }] = (await dataSource.query(`SELECT reltuples::int AS reltuples FROM pg_class WHERE relname = $1`, [table])) as { reltuples: number }[];
    expect(reltuples).toBe(70);
    expect(await metrics.registry.getSingleMetricAsString('postgres_tables_analyzed_total')).toContain(`table="${table}"`);

    await until(async () => (await modifiedSinceAnalyze()) === 0);
    expect(await statistics.analyzeChanged(rule)).not.toContain(table);
  });

  it('leaves a table to the replica analyzing it', async () => {
    await change(100);
    const other = dataSource.createQueryRunner();
    await other.startTransaction();
    try {
      await other.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`brand-api:analyze:${table}`]);
      expect(await statistics.analyzeChanged(rule)).not.toContain(table);
    } finally {
      await other.rollbackTransaction();
      await other.release();
    }
    expect(await statistics.analyzeChanged(rule)).toContain(table);
  });
});
