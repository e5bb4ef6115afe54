import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

/**
 * Serves the brand console (issue 9; sources in apps/brand-api/console, built by `npm run build`
 * into dist/console) at /console: hashed assets cached for a year, index.html never cached and
 * answered for every client route, a strict Content-Security-Policy (same-origin scripts and API
 * calls only; https images for offer previews and optional tiles). Plain Express middleware, so
 * the API key throttler and guards do not apply: these files are public and hold no data.
 */
export interface ConsoleOptions {
  /** The built console; default dist/console next to the compiled app. */
  dir: string;
  /** Optional online tiles (Leaflet URL template); the bundled country outlines work without. */
  tileUrl: string | null;
  tileAttribution: string | null;
}

export const DEFAULT_CONSOLE_DIR = resolve(__dirname, '../../../../console');

/** The policy of every /console answer; `tileUrl` only matters for a plain-http tile server. */
export function consoleSecurityPolicy(tileUrl: string | null): string {
  const tileOrigin = tileUrl?.startsWith('http://') ? ` ${tileUrl.replace(/^(http:\/\/[^/]+).*$/, '$1').replace(/\{s\}/g, '*')}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Leaflet and Chart.js position elements with inline styles.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: https:${tileOrigin}`,
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

export function serveConsole(app: NestExpressApplication, options: ConsoleOptions): void {
  const index = join(options.dir, 'index.html');
  const assets = join(options.dir, 'assets');
  const policy = consoleSecurityPolicy(options.tileUrl);

  app.use('/console', (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', policy);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });

  app.use('/console/config.json', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' || req.path !== '/') return next();
    res.setHeader('Cache-Control', 'no-store');
    res.json({ tileUrl: options.tileUrl, tileAttribution: options.tileAttribution });
  });

  app.useStaticAssets(options.dir, {
    prefix: '/console/',
    index: false,
    redirect: false,
    // Vite names assets by content hash: they never change under one name.
    setHeaders: (res: Response, path: string) =>
      res.setHeader('Cache-Control', path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });

  // Client routes (/console, /console/offers, …) get the app; a missing file is a plain 404.
  app.use('/console', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (extname(req.path) !== '') {
      res.status(404).json({ statusCode: 404, error: 'NOT_FOUND', message: 'no such console file' });
      return;
    }
    if (!existsSync(index)) {
      res.status(503).json({ statusCode: 503, error: 'UNAVAILABLE', message: 'the console is not built (npm run build)' });
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
