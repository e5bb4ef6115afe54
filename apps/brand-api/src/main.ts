import { loadEnv } from '@app/config';
import { HttpErrorFilter } from '@app/http';
import { DEFAULT_BODY_LIMIT_BYTES, bootstrapApp, runMain } from '@app/observability';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { DEFAULT_CONSOLE_DIR, serveConsole } from './console/console-static';
import { BrandApiEnv } from './env';

runMain('brand-api', async () => {
  const env = loadEnv(BrandApiEnv);
  await bootstrapApp(AppModule.forRoot(env), {
    name: 'brand-api',
    port: env.PORT,
    // 1 MiB is ample for one store or an offer naming 10,000 stores; a bulk import of up to
    // MAX_BULK_STORES stores takes up to 20 MiB, and only there is so large a body read.
    bodyLimits: { defaultBytes: DEFAULT_BODY_LIMIT_BYTES, large: [{ method: 'POST', path: '/v1/stores/bulk', limitBytes: 20 * 1024 * 1024 }] },
    configure: async (app) => {
      app.useGlobalFilters(new HttpErrorFilter());
      await serveConsole(app, { dir: env.CONSOLE_DIR ?? DEFAULT_CONSOLE_DIR, tileUrl: env.CONSOLE_TILE_URL ?? null, tileAttribution: env.CONSOLE_TILE_ATTRIBUTION ?? null });
      const document = SwaggerModule.createDocument(
        app,
        new DocumentBuilder()
          .setTitle('Brand API')
          .setDescription('Brands register their stores, geofences and offers; see ARCHITECTURE.md §4.')
          .setVersion('1')
          .addBearerAuth()
          .build(),
      );
      SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
    },
  });
});
