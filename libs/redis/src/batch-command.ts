import type Redis from 'ioredis';

/**
 * Defines a Lua command that carries a whole batch (hundreds of keys in one call) and makes ioredis
 * send it at once instead of through its auto-pipeline.
 *
 * Why: ioredis keeps ONE auto-pipeline in flight per connection (per node in a cluster). Commands
 * made while it runs wait, and every command of a pipeline resolves only when its last reply is in
 * (autoPipelining.js, executeAutoPipeline). Small commands gain from that; a batch script does not,
 * and behind it the client and Redis take turns: the client waits for the whole pipeline while
 * Redis runs it, then Redis idles while the client works. Sent at once, a batch script's reply
 * resolves on its own and the client can work on another partition while Redis runs it.
 * (`make bench-decide`, 3 December 2026: 9,600 → 15,000 decisions/s; BENCHMARKS.md.)
 *
 * Without numberOfKeys the first argument of each call says how many keys follow.
 */
export function defineBatchCommand(redis: Redis, name: string, definition: { lua: string; numberOfKeys?: number }): void {
  redis.defineCommand(name, definition);
  // A new list, never a push: a client built without the option shares ioredis's default array
  // with every other client of the process.
  const ignored = redis.options.autoPipeliningIgnoredCommands ?? [];
  if (!ignored.includes(name)) redis.options.autoPipeliningIgnoredCommands = [...ignored, name];
}

/** Calls a command defined with defineBatchCommand (or defineCommand): `redis[name](...args)`. */
export function callCommand<T>(redis: Redis, name: string, args: (string | number)[]): Promise<T> {
  const fn = (redis as unknown as Record<string, (...a: (string | number)[]) => Promise<T>>)[name];
  return fn.apply(redis, args);
}
