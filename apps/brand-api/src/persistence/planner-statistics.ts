import { Metrics, PeriodicJob } from '@app/observability';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';

export const ANALYZE_CHECK_MS = Symbol('ANALYZE_CHECK_MS');

/** When autovacuum would analyze a table: more rows changed since its last analyze than threshold + scaleFactor × its rows. */
export interface AnalyzeRule {
  threshold: number;
  scaleFactor: number;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * PostgreSQL plans each statement from its statistics of the tables' columns, which autovacuum's
 * analyze gathers. A server with autovacuum off never gathers them, so a table created empty has
 * none however much it grows, and the planner guesses (200 distinct values in any column). The
 * stats tables grow all day: the receipts' join of
 * `deliveries` on `shopper_id` was planned as a sequential scan of the whole table, and
 * PostgreSQL took a quarter of a core at 2,200–2,500 shares/s (BENCHMARKS.md, "Evening of 4 December").
 *
 * So when the server's autovacuum is off, brand-api does what autovacuum's analyze would do for
 * its own schema: every ANALYZE_CHECK_MS it analyzes each table changed by more than
 * autovacuum_analyze_threshold + autovacuum_analyze_scale_factor × its rows since it was last
 * analyzed (the server's own settings), one replica at a time per table (an advisory lock), and
 * logs a warning at start. With autovacuum on (any production server) it does nothing.
 */
@Injectable()
export class PlannerStatistics implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PlannerStatistics.name);
  private job: PeriodicJob | null = null;
  private readonly analyzed;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(ANALYZE_CHECK_MS) private readonly checkMs: number,
    metrics: Metrics,
  ) {
    this.analyzed = metrics.counter('postgres_tables_analyzed_total', 'Tables brand-api analyzed because the server\'s autovacuum is off', ['table']);
  }

  async onApplicationBootstrap(): Promise<void> {
    let rule: AnalyzeRule | null;
    try {
      rule = await this.ruleWhenAutovacuumIsOff();
    } catch (error) {
      this.logger.warn(`could not read PostgreSQL's autovacuum setting, so brand-api will not analyze its tables itself: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (!rule) return;
    this.logger.warn(
      `PostgreSQL's autovacuum is off: brand-api analyzes the tables of its schema itself when they have changed (checked every ${this.checkMs} ms); ` +
        'turn autovacuum on (the default) in production',
    );
    this.job = new PeriodicJob(
      this.checkMs,
      () => this.analyzeChanged(rule),
      (error) => this.logger.warn(`planner statistics not refreshed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** autovacuum's analyze rule when the server's autovacuum is off; null when it is on. */
  async ruleWhenAutovacuumIsOff(): Promise<AnalyzeRule | null> {
    const [settings] = (await this.dataSource.query(
      `SELECT current_setting('autovacuum') AS autovacuum,
              current_setting('autovacuum_analyze_threshold')::int AS threshold,
              current_setting('autovacuum_analyze_scale_factor')::float8 AS "scaleFactor"`,
    )) as { autovacuum: string; threshold: number; scaleFactor: number }[];
    return settings.autovacuum === 'on' ? null : { threshold: settings.threshold, scaleFactor: settings.scaleFactor };
  }

  /**
   * Analyzes the tables of the current schema that `rule` says are due; returns their names. A
   * table another replica is analyzing at that moment is left to it.
   */
  async analyzeChanged(rule: AnalyzeRule): Promise<string[]> {
    const due = (await this.dataSource.query(
      `SELECT s.relname AS "table" FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
       WHERE s.schemaname = current_schema() AND s.n_mod_since_analyze > $1 + $2 * greatest(c.reltuples, 0)
       ORDER BY s.relname`,
      [rule.threshold, rule.scaleFactor],
    )) as { table: string }[];
    const analyzed: string[] = [];
    for (const { table } of due) {
      const done = await this.dataSource.transaction(async (manager) => {
        const [{ locked }] = (await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [`brand-api:analyze:${table}`])) as { locked: boolean }[];
        if (locked) await manager.query(`ANALYZE ${quoteIdent(table)}`);
        return locked;
      });
      if (!done) continue;
      analyzed.push(table);
      this.analyzed.inc({ table });
    }
    if (analyzed.length > 0) this.logger.debug(`analyzed ${analyzed.join(', ')}`);
    return analyzed;
  }
}
