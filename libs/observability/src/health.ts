import { Controller, Get, Injectable } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';

type Probe = () => Promise<unknown> | unknown;

/**
 * What `/health` checks. Each module registers the dependencies it cannot work without (Kafka
 * consumer joined, Redis answering, Postgres answering); a probe that throws or returns false
 * marks the app down (503).
 */
@Injectable()
export class HealthRegistry {
  private readonly probes = new Map<string, Probe>();

  register(name: string, probe: Probe): void {
    this.probes.set(name, probe);
  }

  entries(): [string, Probe][] {
    return [...this.probes.entries()];
  }
}

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly registry: HealthRegistry,
  ) {}

  /** Liveness: the process answers. Never depends on Kafka, Redis or Postgres (a restart would not fix them). */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check(
      this.registry.entries().map(([name, probe]) => async () => {
        const session = this.indicator.check(name);
        try {
          const ok = await withTimeout(Promise.resolve(probe()), 2000);
          return ok === false ? session.down({ message: 'not ready' }) : session.up();
        } catch (error) {
          return session.down({ message: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
