import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { e2eEnv } from './e2e-stack';

/**
 * Starts the real infrastructure (Kafka, Redis, Postgres) with the project's own script, creates
 * topics, migrates the test database and starts the six built apps. `make test` builds first.
 */
export default function setup(): void {
  const root = join(__dirname, '..', '..');
  const env = e2eEnv();
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  run('infra/infra.sh', ['up']);
  run('scripts/ensure-chromium.sh', []);
  run('node', ['dist/scripts/provision-topics.js']);
  run('node', ['dist/scripts/migrate.js']);
  run('scripts/stack.sh', ['up']);
}
