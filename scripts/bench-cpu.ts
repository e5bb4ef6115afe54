/** CPU accounting shared by the benchmarks: a process's CPU time from /proc, redis-server's from INFO. */
import type Redis from 'ioredis';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceEntry, PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';

/** utime + stime of a process, in seconds; NaN when it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The Kafka broker's pid, from the file infra/kafka/kafka.sh writes in KAFKA_DATA_DIR (a benchmark's private broker) or the dev broker's data dir; null when there is none. */
export function brokerPid(root: string): number | null {
  const file = join(process.env.KAFKA_DATA_DIR ?? join(root, 'infra', 'kafka', 'data'), 'kafka.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : null;
}

/** CPU seconds redis-server has used (all its clients), from INFO cpu. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_sys') + field('used_cpu_user');
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux on x86 and ARM). */
const TICKS_PER_SECOND = 100;

/**
 * The whole machine's CPU since boot, in core-seconds, from /proc/stat's first line: busy (every
 * state but idle and iowait, steal excluded) and steal (time the hypervisor gave another guest
 * while this one wanted to run).
 */
export function machineCpuSeconds(): { busy: number; steal: number } {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq) / TICKS_PER_SECOND, steal: (steal ?? 0) / TICKS_PER_SECOND };
}

/**
 * CPU seconds of every process whose command name is `comm` (redis-server, postgres…), counted
 * since the tracker was made: a process seen once keeps its last reading after it exits, so the
 * total never goes back when a PostgreSQL backend ends. Read it often (the benchmark's 1 s
 * sampler) for processes that come and go.
 */
export class ProcessGroupCpu {
  /** Per process: its CPU when first seen (0 for one started since) and at the last reading. */
  private readonly seen = new Map<number, { first: number; last: number }>();

  constructor(private readonly comm: string) {
    this.read(true);
  }

  /** CPU seconds the group used since the tracker was made. */
  seconds(): number {
    this.read(false);
    let total = 0;
    for (const { first, last } of this.seen.values()) total += last - first;
    return total;
  }

  /** Reads every process of the group; one first seen at the start counts from its reading then. */
  private read(atStart: boolean): void {
    for (const pid of pidsNamed(this.comm)) {
      const now = cpuSecondsOf(pid);
      if (Number.isNaN(now)) continue;
      const known = this.seen.get(pid);
      if (known) known.last = now;
      else this.seen.set(pid, { first: atStart ? now : 0, last: now });
    }
  }
}

function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // gone between the listing and the read
    }
  }
  return pids;
}

/**
 * The collector's main-thread pauses while a measured part runs (a benchmark's CPU per operation
 * includes them), from node:perf_hooks' gc entries: in all, in scavenges, and how many scavenges
 * and mark-compacts.
 */
export function gcPauses(): { stop: () => { ms: number; scavengeMs: number; minor: number; major: number } } {
  const took = { ms: 0, scavengeMs: 0, minor: 0, major: 0 };
  const count = (entries: PerformanceEntry[]) => {
    for (const entry of entries) {
      took.ms += entry.duration;
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) {
        took.minor += 1;
        took.scavengeMs += entry.duration;
      } else if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) took.major += 1;
    }
  };
  const observer = new PerformanceObserver((list) => count(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      // Entries are delivered asynchronously: the last ones are still queued.
      count(observer.takeRecords());
      observer.disconnect();
      return took;
    },
  };
}
