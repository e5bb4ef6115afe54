import { ObservabilityModule } from '@app/observability';
import { DynamicModule, Module } from '@nestjs/common';
import type { SimEnv } from './env';
import { FaultInjector } from './faults/fault-injector';
import { FaultsController } from './faults/faults.controller';
import { InspectionController } from './inspection/inspection.controller';
import { InspectionService } from './inspection/inspection.service';
import { MAX_STORED_SENDS, SendLog } from './inspection/send-log';
import { SimStats } from './inspection/sim-stats';
import { PageRegistry } from './pages/page-registry';
import { PagesController } from './pages/pages.controller';
import { PagesService } from './pages/pages.service';
import { RECEIPT_DELAYS, ReceiptScheduler } from './pages/receipt-scheduler';
import { WEBHOOK_RETRY_DELAYS_MS, WEBHOOK_TIMEOUT_MS, WebhookClient } from './pages/webhook.client';
import { SendApiController } from './send-api/send-api.controller';
import { SendApiService } from './send-api/send-api.service';

/**
 * The Messenger simulator: Meta's side of a Page (webhook handshake and signed events, the Graph
 * Send API with its error semantics), fault injection and an inspection API. State is in memory.
 */
@Module({})
export class AppModule {
  static forRoot(env: SimEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          app: 'messenger-sim',
          logLevel: env.LOG_LEVEL,
          logPretty: env.LOG_PRETTY,
        }),
      ],
      // The Send API's catch-all `:version/:page/messages` route goes last.
      controllers: [PagesController, InspectionController, FaultsController, SendApiController],
      providers: [
        { provide: WEBHOOK_TIMEOUT_MS, useValue: env.SIM_WEBHOOK_TIMEOUT_MS },
        { provide: MAX_STORED_SENDS, useValue: env.SIM_MAX_STORED_SENDS },
        { provide: WEBHOOK_RETRY_DELAYS_MS, useValue: env.SIM_WEBHOOK_RETRY_DELAYS_MS },
        { provide: RECEIPT_DELAYS, useValue: { deliveryMs: env.SIM_DELIVERY_RECEIPT_MS, readMs: env.SIM_READ_RECEIPT_MS } },
        ReceiptScheduler,
        PageRegistry,
        WebhookClient,
        PagesService,
        SendLog,
        SimStats,
        FaultInjector,
        InspectionService,
        SendApiService,
      ],
    };
  }
}
