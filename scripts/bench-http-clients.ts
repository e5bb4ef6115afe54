/**
 * Benchmark (not a test): the client CPU of one JSON POST, Node's global fetch against undici's
 * pooled request (what messenger-delivery's Send API client, the simulator's webhook client and the
 * `make bench` harness use) and node:http with a keep-alive agent. The server runs in a child
 * process, so the figures are the client's alone. Prints figures; asserts nothing.
 * Usage: node dist/scripts/bench-http-clients.js [requests=20000] [concurrency=32]
 */
import { fork } from 'node:child_process';
import { Agent as HttpAgent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

function serve(): void {
  const answer = JSON.stringify({ recipient_id: '1', message_id: 'm_1' });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
}

async function measure(name: string, total: number, concurrency: number, one: () => Promise<void>): Promise<void> {
  for (let i = 0; i < 2_000; i += 1) await one();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < total) {
        sent += 1;
        await one();
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${name.padEnd(28)} ${((used.user + used.system) / total).toFixed(1).padStart(7)} µs of client CPU per request, ${(total / seconds).toFixed(0).padStart(6)} requests/s`);
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 20_000);
  const concurrency = Number(process.argv[3] ?? 32);
  const child = fork(__filename, ['--serve']);
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(Number(m))));
  const path = '/v19.0/1/messages?access_token=x';
  const url = `http://127.0.0.1:${port}${path}`;
  const body = JSON.stringify({ recipient: { id: '1234567890' }, messaging_type: 'MESSAGE_TAG', message: { text: 'x'.repeat(400) } });
  const headers = { 'content-type': 'application/json' };

  await measure('fetch (global)', total, concurrency, async () => {
    const r = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5_000) });
    await r.json();
  });
  const agent = new Agent({ headersTimeout: 5_000, bodyTimeout: 5_000, keepAliveTimeout: 30_000 });
  await measure('undici request (pooled)', total, concurrency, async () => {
    const r = await request(url, { method: 'POST', headers, body, dispatcher: agent });
    JSON.parse(await r.body.text());
  });
  await agent.close();
  const keepAlive = new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  await measure('node:http, keep-alive agent', total, concurrency, () => {
    return new Promise<void>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', agent: keepAlive, timeout: 5_000, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => {
          JSON.parse(Buffer.concat(parts).toString('utf8'));
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  });
  keepAlive.destroy();
  child.kill();
}

if (process.argv.includes('--serve')) serve();
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
