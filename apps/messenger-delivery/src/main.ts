import { loadEnv } from '@app/config';
import { bootstrapApp, runMain } from '@app/observability';
import { AppModule } from './app.module';
import { DeliveryEnv } from './env';

runMain('messenger-delivery', async () => {
  const env = loadEnv(DeliveryEnv);
  await bootstrapApp(AppModule.forRoot(env), {
    name: 'messenger-delivery',
    port: env.PORT,
    consumer: { settings: { brokers: env.KAFKA_BROKERS, groupPrefix: env.KAFKA_GROUP_PREFIX }, groupId: 'messenger-delivery' },
  });
});
