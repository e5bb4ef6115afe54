import fc from 'fast-check';
import type { Message, PartitionMetadata } from 'kafkajs';
// The library's entry, as the apps import it: it must put the fix in place before it loads kafkajs.
import { KeyHashPartitioner, fixProduceGrouping, groupMessagesPerPartition } from './index';

/** kafkajs's own grouping, loaded apart from the fixed one (a module registry of its own). */
let kafkajsGrouping: typeof groupMessagesPerPartition = () => ({});
jest.isolateModules(() => {
  kafkajsGrouping = jest.requireActual('kafkajs/src/producer/groupMessagesPerPartition');
});

const metadata = (n: number): PartitionMetadata[] => Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));

describe("the kafkajs producer's grouping by partition", () => {
  it("is in place in kafkajs's producer once the library is loaded (its index fixes it before it loads kafkajs)", () => {
    expect(fixProduceGrouping()).toBe(true);
    // sendMessages.js requires this module when kafkajs's producer loads, after the fix.
    expect(jest.requireActual('kafkajs/src/producer/groupMessagesPerPartition')).toBe(groupMessagesPerPartition);
    expect(require.cache[require.resolve('kafkajs/src/producer/sendMessages')]).toBeDefined();
  });

  it('groups messages by their partition, in their order, as kafkajs did', () => {
    expect(kafkajsGrouping).not.toBe(groupMessagesPerPartition);
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 300 }), fc.integer({ min: 1, max: 12 }), (keys, n) => {
        const partitioner = KeyHashPartitioner();
        const messages: Message[] = keys.map((key, i) => ({ key, value: String(i) }));
        const partitionMetadata = metadata(n);
        const grouped = groupMessagesPerPartition({ topic: 't', partitionMetadata, messages, partitioner });
        expect(grouped).toEqual(kafkajsGrouping({ topic: 't', partitionMetadata, messages, partitioner }));
        expect(Object.values(grouped).flat()).toHaveLength(messages.length);
      }),
    );
  });

  it('gives nothing for a topic without partition metadata, as kafkajs did', () => {
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages: [{ key: 'k', value: 'v' }], partitioner: KeyHashPartitioner() })).toEqual({});
  });
});
