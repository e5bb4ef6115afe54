import { loadEnv } from '@app/config';
import { kafkaSettingsFrom } from '@app/kafka';
import { bootstrapApp, runMain } from '@app/observability';
import { AppModule } from './app.module';
import { EngineEnv } from './env';

runMain('promotion-engine', async () => {
  const env = loadEnv(EngineEnv);
  await bootstrapApp(AppModule.forRoot(env), {
    name: 'promotion-engine',
    port: env.PORT,
    consumer: { settings: kafkaSettingsFrom(env), groupId: 'promotion-engine' },
  });
});
