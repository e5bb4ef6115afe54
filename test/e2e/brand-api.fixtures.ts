import { http, stackUrls } from '@app/testing';
import { randomBytes } from 'node:crypto';
import { E2E } from '../setup/e2e-stack';

/** Shared by the brand API end-to-end tests: a brand with its key, and valid bodies to vary. */
export const api = stackUrls(E2E.portBase).brandApi;

export const call = <T = unknown>(method: string, path: string, key?: string, body?: unknown) =>
  http<T>(method, `${api}${path}`, body, key);

export interface TestBrand {
  id: string;
  apiKey: string;
  pageId: string;
  secrets: { pageAccessToken: string; appSecret: string; verifyToken: string };
}

export async function newBrand(label: string, withChannel = true): Promise<TestBrand> {
  const r = await call<{ id: string; apiKey: string }>('POST', '/v1/brands', E2E.adminToken, { name: `${label} ${randomBytes(3).toString('hex')}` });
  if (r.status !== 201) throw new Error(`create brand: ${r.status} ${JSON.stringify(r.body)}`);
  const pageId = `pg${Date.now()}${randomBytes(3).toString('hex')}`;
  const secrets = {
    pageAccessToken: `EAAsecret${randomBytes(16).toString('hex')}`,
    appSecret: `appsecret${randomBytes(16).toString('hex')}`,
    verifyToken: `verify${randomBytes(12).toString('hex')}`,
  };
  if (withChannel) {
    const c = await call('PUT', '/v1/channels/messenger', r.body.apiKey, { pageId, ...secrets });
    if (c.status !== 200) throw new Error(`connect: ${c.status} ${JSON.stringify(c.body)}`);
  }
  return { id: r.body.id, apiKey: r.body.apiKey, pageId, secrets };
}

export const validStore = (overrides: Record<string, unknown> = {}) => ({
  name: 'Rivoli',
  location: { lat: 48.8606, lng: 2.3376 },
  geofence: { type: 'circle', radiusM: 80 },
  timezone: 'Europe/Paris',
  openingHours: 'Mo-Sa 09:00-20:00; PH off',
  country: 'FR',
  tags: ['paris'],
  ...overrides,
});

export const validOffer = (overrides: Record<string, unknown> = {}) => ({
  name: 'Coffee',
  message: { title: 'Un café offert', subtitle: 'Aujourd’hui', url: 'https://example.com/o' },
  startsAt: new Date(Date.now() - 60_000).toISOString(),
  endsAt: new Date(Date.now() + 3_600_000).toISOString(),
  ...overrides,
});

export const fieldsOf = (body: unknown): string[] =>
  ((body as { details?: { field: string }[] }).details ?? []).map((d) => d.field);
