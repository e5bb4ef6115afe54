import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';

/**
 * Serves the brand console (issue 9; sources in apps/brand-api/console, built by `npm run build`
 * into dist/console) at /console: hashed assets cached for a year, index.html never cached and
 * answered for every client route, a strict Content-Security-Policy (same-origin scripts and API
 * calls only; https images for offer previews and optional tiles). Plain Fastify routes, outside
 * Nest, so the API key throttler and guards do not apply: these files are public and hold no data.
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

export async function serveConsole(app: NestFastifyApplication, options: ConsoleOptions): Promise<void> {
  const root = resolve(options.dir);
  const index = join(root, 'index.html');
  const assets = join(root, 'assets') + sep;
  const policy = consoleSecurityPolicy(options.tileUrl);
  const fastify = app.getHttpAdapter().getInstance();
  // reply.sendFile only: the routes below decide what each path answers.
  await fastify.register(fastifyStatic, { root, serve: false, index: false });

  const secured = (reply: FastifyReply) =>
    reply.headers({
      'content-security-policy': policy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });

  fastify.get('/console/config.json', (_request, reply) =>
    secured(reply).header('cache-control', 'no-store').send({ tileUrl: options.tileUrl, tileAttribution: options.tileAttribution }),
  );

  // Files by their path; client routes (/console, /console/offers, …) get the app; a missing file is a plain 404.
  const answer = (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    secured(reply);
    const path = request.params['*'] ?? '';
    if (extname(path) === '') {
      if (!existsSync(index)) {
        return reply.code(503).send({ statusCode: 503, error: 'UNAVAILABLE', message: 'the console is not built (npm run build)' });
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    }
    const file = resolve(root, path);
    if (!file.startsWith(root + sep) || !isFile(file)) {
      return reply.code(404).send({ statusCode: 404, error: 'NOT_FOUND', message: 'no such console file' });
    }
    // Vite names assets by content hash: they never change under one name.
    return reply
      .header('cache-control', file.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache')
      .sendFile(file.slice(root.length + 1), { cacheControl: false });
  };
  fastify.get('/console', answer);
  fastify.get('/console/*', answer);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
