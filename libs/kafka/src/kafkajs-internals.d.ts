// kafkajs's per-connection request queue, which its public types do not expose (request-queue-fix.ts).
declare module 'kafkajs/src/network/requestQueue' {
  class RequestQueue {
    constructor(options: {
      maxInFlightRequests: number;
      requestTimeout: number;
      enforceRequestTimeout: boolean;
      clientId: string;
      broker: string;
      logger: { debug(...args: unknown[]): void; warn(...args: unknown[]): void; error(...args: unknown[]): void; info(...args: unknown[]): void };
      isConnected?: () => boolean;
    });
    pending: unknown[];
    inflight: Map<number, unknown>;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    push(request: { entry: { correlationId: number; resolve(answer: unknown): void; reject(error: unknown): void }; expectResponse: boolean; sendRequest: () => void; requestTimeout?: number }): void;
    fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
    destroy(): void;
  }
  export = RequestQueue;
}

// kafkajs's murmur2 (its DefaultPartitioner's hash), which partitioner.spec.ts compares ours with.
declare module 'kafkajs/src/producer/partitioners/default/murmur2' {
  function murmur2(key: Buffer | string): number;
  export = murmur2;
}

// kafkajs's protocol encoder: what its record batch takes for each record (record-encoding-fix.ts).
declare module 'kafkajs/src/protocol/encoder' {
  class Encoder {
    constructor(initialSize?: number);
    buf: Buffer;
    offset: number;
    readonly buffer: Buffer;
    size(): number;
  }
  export = Encoder;
}
