import RequestQueue from 'kafkajs/src/network/requestQueue';
import { version } from 'kafkajs/package.json';

/** The kafkajs release whose request queue this fixes (package-lock.json pins it). */
export const FIXED_KAFKAJS_VERSION = '2.2.4';

const fixed = Symbol('fixed by @app/kafka');

/**
 * kafkajs 2.2.4 keeps a 1 ms timer running on every broker connection, whether or not a request
 * is waiting: `scheduleCheckPendingRequests` schedules the next check even with nothing pending,
 * with a negative delay (`throttledUntil` is -1), and each check schedules the next
 * (tulios/kafkajs#1556 "CPU hike on v2.2.4"; fixes proposed in #1667 and #1703, never released).
 * Every app holds several connections (its producer, each consumer group, the admin client of the
 * lag metric), so each spent CPU on about a thousand empty timer callbacks per connection and
 * second, busy or idle: 8 % of the geofence's busy time in `make bench-geofence`'s Kafka phase
 * (BENCHMARKS.md, 3 December).
 *
 * With nothing pending there is nothing to check: a request that cannot go out at once is queued
 * by `push`, which schedules the check itself, and every answer or timeout checks again. So a
 * check is scheduled only while requests wait, as upstream's proposed fixes do. Applied once, when
 * this library is loaded, and only to the version it was written for: another version leaves
 * kafkajs as it is, and request-queue-fix.spec.ts fails until this is looked at again.
 */
export function fixRequestQueueTimerLoop(): boolean {
  if (version !== FIXED_KAFKAJS_VERSION) return false;
  const proto = RequestQueue.prototype as RequestQueue & { [fixed]?: true };
  if (proto[fixed]) return true;
  const schedule = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function scheduleWhilePending(this: RequestQueue): void {
    if (this.pending.length === 0) return;
    schedule.call(this);
  };
  proto[fixed] = true;
  return true;
}

fixRequestQueueTimerLoop();
