import { StackClient, http } from '@app/testing';
import { randomBytes } from 'node:crypto';

export interface TestPage {
  apiKey: string;
  brandId: string;
  pageId: string;
  appSecret: string;
  accessToken: string;
  verifyToken: string;
}

/** A new brand with a Messenger Page connected in brand-api and registered on the simulator. */
export async function newBrandWithPage(client: StackClient, label: string): Promise<TestPage> {
  const brand = await client.createBrand(`${label} ${randomBytes(3).toString('hex')}`);
  const page = {
    pageId: `${label.replace(/[^A-Za-z0-9]/g, '')}${Date.now()}${randomBytes(2).toString('hex')}`,
    accessToken: `EAA${randomBytes(16).toString('hex')}`,
    appSecret: randomBytes(16).toString('hex'),
    verifyToken: randomBytes(10).toString('hex'),
  };
  await client.connectPage(brand.apiKey, page);
  return { apiKey: brand.apiKey, brandId: brand.id, ...page };
}

/** Opens (or closes, with an old time) the shopper's 24-hour window on the simulator. */
export async function setLastInteraction(simUrl: string, pageId: string, psid: string, atMs: number | null): Promise<void> {
  const r = await http('PUT', `${simUrl}/__sim/pages/${pageId}/shoppers/${psid}`, { lastInteractionAt: atMs });
  if (r.status !== 200) throw new Error(`set shopper: ${r.status} ${JSON.stringify(r.body)}`);
}

export async function setFaults(simUrl: string, faults: Record<string, unknown>): Promise<void> {
  const r = await http('PUT', `${simUrl}/__sim/faults`, faults);
  if (r.status !== 200) throw new Error(`faults: ${r.status} ${JSON.stringify(r.body)}`);
}

export interface SimStatsView {
  totalCalls: number;
  accepted: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  peakCallsPerSecondByPage: Record<string, number>;
  webhooks: { sent: number; byStatus: Record<string, number> };
}

export async function simStats(simUrl: string): Promise<SimStatsView> {
  return (await http<SimStatsView>('GET', `${simUrl}/__sim/stats`)).body;
}

/** A Prometheus counter's total over all its series, from an app's /metrics. */
export async function counterTotal(appUrl: string, name: string, labelFilter: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${appUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labelFilter).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
