import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The brand console (issue 9): a React single-page app built into dist/console and served by
 * brand-api at /console (apps/brand-api/src/console). Everything it needs, the map's base layer
 * included, is bundled: nothing is loaded from a CDN at run time.
 */
const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../../..', import.meta.url));

export default defineConfig({
  root,
  base: '/console/',
  // Offer validation is brand-api's own zod schemas (offers/offer.dto.ts), bundled as they are.
  resolve: {
    alias: [
      { find: /^@app\/([a-z-]+)$/, replacement: `${repo}libs/$1/src` },
      { find: /^node:crypto$/, replacement: `${root}src/node-crypto.browser.ts` },
    ],
  },
  build: {
    outDir: `${repo}dist/console`,
    emptyOutDir: true,
    sourcemap: true,
    // The bundled country outlines (world-atlas 50m, ~0.7 MB) make the main chunk large on purpose.
    chunkSizeWarningLimit: 2000,
    // Keep `npm run build` quiet: rolldown's timing report is noise on a loaded machine.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
