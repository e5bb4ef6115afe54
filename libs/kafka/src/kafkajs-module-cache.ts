import { version } from 'kafkajs/package.json';
import { FIXED_KAFKAJS_VERSION } from './request-queue-fix';

/**
 * Replaces one of kafkajs's internal modules in Node's module cache with `replace(original)`,
 * before `loadedBy` (the kafkajs module that takes it once, when first required) loads: what
 * produce-grouping-fix.ts and record-encoding-fix.ts do. Only for the kafkajs version the
 * replacements were written for. Returns whether `loadedBy` will use the replacement: true if it
 * is in place already (`isReplacement` of the cached exports), false if `loadedBy` was loaded first
 * or the version differs.
 */
export function replaceKafkajsModule(module: string, loadedBy: string, isReplacement: (cached: unknown) => boolean, replace: (original: unknown) => unknown): boolean {
  if (version !== FIXED_KAFKAJS_VERSION) return false;
  const path = require.resolve(module);
  if (isReplacement(require.cache[path]?.exports)) return true;
  if (require.cache[require.resolve(loadedBy)]) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads kafkajs's module to replace its exports
  const original: unknown = require(module);
  const loaded = require.cache[path];
  if (!loaded) return false;
  loaded.exports = replace(original);
  return true;
}
