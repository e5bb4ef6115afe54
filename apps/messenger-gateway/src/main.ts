import { loadEnv } from '@app/config';
import { HttpErrorFilter } from '@app/http';
import { kafkaSettingsFrom } from '@app/kafka';
import { DEFAULT_BODY_LIMIT_BYTES, bootstrapApp, runMain } from '@app/observability';
import { AppModule } from './app.module';
import { GatewayEnv } from './env';

runMain('messenger-gateway', async () => {
  const env = loadEnv(GatewayEnv);
  await bootstrapApp(AppModule.forRoot(env), {
    name: 'messenger-gateway',
    port: env.PORT,
    rawBody: true,
    // Meta's webhooks are verified over their bytes and parsed once, by ReceiveWebhook.
    bodyLimits: { defaultBytes: DEFAULT_BODY_LIMIT_BYTES, bytesOnly: [{ method: 'POST', path: '/webhooks/messenger' }] },
    consumer: {
      settings: kafkaSettingsFrom(env),
      groupId: 'messenger-gateway',
    },
    configure: (app) => {
      app.useGlobalFilters(new HttpErrorFilter());
    },
  });
});
