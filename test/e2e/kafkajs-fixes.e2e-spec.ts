import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const APPS = ['brand-api', 'messenger-gateway', 'geofence', 'promotion-engine', 'messenger-delivery', 'messenger-sim'];

/**
 * Loaded before an app's main.js (`node -r`): once main.js has loaded its modules, prints whether
 * kafkajs's producer groups messages with libs/kafka's linear grouping and whether its record
 * encoder is libs/kafka's, and exits. That is at the
 * first turn of the event loop, before any connection can have joined a consumer group, or when
 * the app exits first (without its secrets in the environment it stops at its env check, after
 * loading its modules).
 */
const PRELOAD = `
let told = false;
function tell() {
  if (told) return;
  told = true;
  const grouping = require.cache[${JSON.stringify(join(root, 'node_modules/kafkajs/src/producer/groupMessagesPerPartition.js'))}];
  const producer = require.cache[${JSON.stringify(join(root, 'node_modules/kafkajs/src/producer/sendMessages.js'))}];
  const record = require.cache[${JSON.stringify(join(root, 'node_modules/kafkajs/src/protocol/recordBatch/record/v0/index.js'))}];
  const fix = require(${JSON.stringify(join(root, 'dist/libs/kafka/src/produce-grouping-fix.js'))});
  process.stdout.write(JSON.stringify({ producerLoaded: Boolean(producer), fixed: grouping?.exports === fix.groupMessagesPerPartition, recordFixed: record?.exports?.fixed === true }));
}
process.on('exit', tell);
setImmediate(() => process.exit(0));`;

/**
 * libs/kafka replaces kafkajs's quadratic grouping of a produce request's messages by partition
 * (produce-grouping-fix.ts) and its record encoder (record-encoding-fix.ts) in Node's module cache,
 * which works only if the library loads before kafkajs's producer and produce request. Their unit
 * specs check the library's own entry; this checks each built app.
 */
describe('kafkajs fixes in every built app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafkajs-fixes-'));
  const preload = join(dir, 'preload.js');
  writeFileSync(preload, PRELOAD);

  it.each(APPS)('%s loads libs/kafka before kafkajs, so its producer uses the linear grouping and the exact-size record encoder', (app) => {
    const { stdout } = spawnSync(process.execPath, ['-r', preload, join(root, 'dist', 'apps', app, 'src', 'main.js')], {
      env: { ...process.env, LOG_LEVEL: 'silent' },
      timeout: 30_000,
      encoding: 'utf8',
    });
    expect(JSON.parse(stdout.slice(stdout.lastIndexOf('{')))).toEqual({ producerLoaded: true, fixed: true, recordFixed: true });
  });
});
