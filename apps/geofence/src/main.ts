import { loadEnv } from '@app/config';
import { kafkaSettingsFrom } from '@app/kafka';
import { bootstrapApp, runMain } from '@app/observability';
import { AppModule } from './app.module';
import { GeofenceEnv } from './env';

runMain('geofence', async () => {
  const env = loadEnv(GeofenceEnv);
  await bootstrapApp(AppModule.forRoot(env), {
    name: 'geofence',
    port: env.PORT,
    consumer: { settings: kafkaSettingsFrom(env), groupId: 'geofence' },
  });
});
