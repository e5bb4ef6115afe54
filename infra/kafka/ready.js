// Kafka readiness probe used by kafka.sh: succeeds once the broker answers an admin call
// (describeCluster), not merely once its port is open. Usage: node ready.js [timeoutSeconds]
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const brokers = (process.env.KAFKA_BROKERS || 'localhost:9092').split(',');
const deadline = Date.now() + Number(process.argv[2] || 60) * 1000;

async function probe() {
  const admin = new Kafka({ clientId: 'infra-ready', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

(async () => {
  for (;;) {
    try {
      if (await probe()) process.exit(0);
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) {
      console.error(`Kafka at ${brokers.join(',')} did not answer an admin call in time`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
})();
