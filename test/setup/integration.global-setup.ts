import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { e2eEnv } from './e2e-stack';
import { INTEGRATION } from './integration-env';

/**
 * Starts the real infrastructure with the project's own script, creates the topics and migrates
 * the integration database (built scripts: `make test` builds first).
 */
export default function setup(): void {
  const root = join(__dirname, '..', '..');
  const env = { ...e2eEnv(), DATABASE_URL: INTEGRATION.databaseUrl, EXTRA_DATABASES: INTEGRATION.databaseName };
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  run('infra/infra.sh', ['up']);
  run('node', ['dist/scripts/provision-topics.js']);
  run('node', ['dist/scripts/migrate.js']);
}
