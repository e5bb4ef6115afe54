import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HealthRegistry } from '@app/observability';
import Redis from 'ioredis';

export const REDIS = Symbol('REDIS');

@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('redis', async () => (await this.redis.ping()) === 'PONG');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One ioredis connection per app, injected as REDIS into repositories (never into use cases). */
@Module({})
export class RedisModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [
        {
          provide: REDIS,
          useFactory: () =>
            new Redis(url, {
              maxRetriesPerRequest: 3,
              enableAutoPipelining: true,
              retryStrategy: (times) => Math.min(times * 200, 2000),
            }),
        },
        RedisLifecycle,
      ],
      exports: [REDIS],
    };
  }
}
