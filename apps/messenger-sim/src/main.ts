import { loadEnv } from '@app/config';
import { HttpErrorFilter } from '@app/http';
import { bootstrapApp, runMain } from '@app/observability';
import { AppModule } from './app.module';
import { SimEnv } from './env';

runMain('messenger-sim', async () => {
  const env = loadEnv(SimEnv);
  await bootstrapApp(AppModule.forRoot(env), {
    name: 'messenger-sim',
    port: env.PORT,
    configure: (app) => {
      app.useGlobalFilters(new HttpErrorFilter());
    },
  });
});
