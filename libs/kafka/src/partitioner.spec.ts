import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import kafkajsMurmur2 from 'kafkajs/src/producer/partitioners/default/murmur2';
import { KeyHashPartitioner, murmur2 } from './partitioner';

const partitions = (n: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: leaderless.includes(partitionId) ? -1 : 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));

describe('KeyHashPartitioner', () => {
  it("hashes every key as kafkajs's (the Java client's) murmur2 does: strings of any characters and bytes", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a))), (key) => {
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches known values of the Java client', () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2('abc')).toBe(479470107);
  });

  it("puts every keyed message on the partition kafkajs's DefaultPartitioner chooses, so no key moves", () => {
    const ours = KeyHashPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 48 }), (key, n) => {
        const args = { topic: 't', partitionMetadata: partitions(n), message: { key, value: 'v' } };
        expect(ours(args)).toBe(theirs(args));
      }),
    );
  });

  it('keeps a partition the message names', () => {
    const ours = KeyHashPartitioner();
    expect(ours({ topic: 't', partitionMetadata: partitions(6), message: { key: 'k', value: 'v', partition: 4 } })).toBe(4);
  });

  it('spreads keyless messages round robin over the partitions that have a leader', () => {
    const ours = KeyHashPartitioner();
    const chosen = Array.from({ length: 12 }, () => ours({ topic: 't', partitionMetadata: partitions(4, [1]), message: { value: 'v' } }));
    expect(new Set(chosen)).toEqual(new Set([0, 2, 3]));
    expect(chosen.slice(3, 6).sort()).toEqual(chosen.slice(0, 3).sort());
  });
});
