import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The V8 flags an app runs with (scripts/app-node-options.json, the same as NODE_OPTIONS in
 * k8s/base/apps): read by the scripts that start apps themselves (chaos, bench-geofence), as
 * scripts/stack.sh does. Compiled to dist/scripts/, so the file is found from the repository root.
 */
export function nodeOptionsOf(app: string): string[] {
  const file = join(__dirname, '..', '..', 'scripts', 'app-node-options.json');
  const flags = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)[app] ?? '';
  return flags.split(' ').filter(Boolean);
}

/**
 * Environment every app runs with, beside its V8 flags (also in scripts/stack.sh and the
 * Dockerfile): two glibc malloc arenas instead of eight per core, which under load kept tens of
 * MB of freed native memory resident (BENCHMARKS.md, "Memory").
 */
export const APP_PROCESS_ENV = { MALLOC_ARENA_MAX: '2' } as const;
