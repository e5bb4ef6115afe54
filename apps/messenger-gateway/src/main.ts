import { loadEnv } from '@app/config';
import { HttpErrorFilter } from '@app/http';
import { bootstrapApp, runMain } from '@app/observability';
import { AppModule } from './app.module';
import { GatewayEnv } from './env';

runMain('messenger-gateway', async () => {
  const env = loadEnv(GatewayEnv);
  await bootstrapApp(AppModule.forRoot(env), {
    name: 'messenger-gateway',
    port: env.PORT,
    rawBody: true,
    consumer: {
      settings: { brokers: env.KAFKA_BROKERS, groupPrefix: env.KAFKA_GROUP_PREFIX },
      groupId: 'messenger-gateway',
    },
    configure: (app) => {
      app.useGlobalFilters(new HttpErrorFilter());
    },
  });
});
