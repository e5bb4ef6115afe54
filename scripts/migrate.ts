/** Applies pending Postgres migrations. Usage: node dist/scripts/migrate.js (DATABASE_URL). */
import { migrate } from '@app/database';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/promotions';
migrate(url)
  .then((applied) => console.log(`[migrate] ${applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date'}`))
  .catch((error: unknown) => {
    console.error('[migrate] failed:', error);
    process.exit(1);
  });
