import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Integration tests talk to the real Kafka, Redis and Postgres started by the project's script,
 * with every topic provisioned (from the build: `make test` builds before the integration tests).
 */
export default function setup(): void {
  const root = join(__dirname, '..', '..');
  execFileSync('infra/infra.sh', ['up'], { cwd: root, stdio: 'inherit' });
  execFileSync('node', ['dist/scripts/provision-topics.js'], { cwd: root, stdio: 'inherit' });
}
