import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { HealthController, HealthRegistry } from './health';
import { RoutineRoute, loggerParams } from './logging';
import { Metrics, MetricsController } from './metrics';
import { ProduceMetrics } from './produce-metrics';
import { TracingShutdown } from './tracing';

export interface ObservabilityOptions {
  app: string;
  logLevel: string;
  logPretty: boolean;
  /** Routes whose successes and 503s are logged at debug (logging.ts, RoutineRoute). */
  routineRoutes?: RoutineRoute[];
}

/** JSON logs (nestjs-pino), Prometheus metrics at /metrics and health at /health, for every app. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerParams(options.app, options.logLevel, options.logPretty, options.routineRoutes)),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: Metrics, useValue: new Metrics(options.app) }, HealthRegistry, TracingShutdown, ProduceMetrics],
      exports: [Metrics, HealthRegistry],
    };
  }
}
