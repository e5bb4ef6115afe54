import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { e2eEnv } from './e2e-stack';

export default function teardown(): void {
  execFileSync('scripts/stack.sh', ['down'], { cwd: join(__dirname, '..', '..'), env: e2eEnv(), stdio: 'inherit' });
}
