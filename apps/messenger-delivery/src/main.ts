import { loadEnv } from '@app/config';
import { kafkaSettingsFrom } from '@app/kafka';
import { bootstrapApp, runMain } from '@app/observability';
import { AppModule } from './app.module';
import { DeliveryEnv } from './env';

runMain('messenger-delivery', async () => {
  const env = loadEnv(DeliveryEnv);
  await bootstrapApp(AppModule.forRoot(env), {
    name: 'messenger-delivery',
    port: env.PORT,
    // Every partition at once: a send mostly waits (Send API, rate limit), so concurrency is cheap.
    consumer: { settings: kafkaSettingsFrom(env), groupId: 'messenger-delivery', partitionsConsumedConcurrently: 6 },
  });
});
