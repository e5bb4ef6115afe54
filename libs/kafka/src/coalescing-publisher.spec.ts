import type { EventPublisher, Outgoing } from './event-publisher';
import { CoalescingPublisher } from './coalescing-publisher';

const item = (id: string) => ({ topic: 'delivery.status.v1', event: { id, type: 't', occurredAt: '', data: {} } }) as unknown as Outgoing;

describe('CoalescingPublisher', () => {
  it('sends what queued up while a produce was in flight together, and resolves each caller after its ack', async () => {
    const calls: string[][] = [];
    let release: () => void = () => undefined;
    const publisher = {
      publishAll: (items: Outgoing[]) => {
        calls.push(items.map((i) => i.event.id));
        return calls.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
    } as unknown as EventPublisher;
    const coalescing = new CoalescingPublisher(publisher);
    const first = coalescing.publish(item('a'));
    const rest = [coalescing.publish(item('b')), coalescing.publish(item('c'))];
    await Promise.resolve();
    expect(calls).toEqual([['a']]);
    release();
    await Promise.all([first, ...rest]);
    expect(calls).toEqual([['a'], ['b', 'c']]);
  });

  it('rejects every caller of a failed produce, and carries on with the next', async () => {
    let fail = true;
    const publisher = {
      publishAll: async () => {
        if (fail) throw new Error('broker away');
      },
    } as unknown as EventPublisher;
    const coalescing = new CoalescingPublisher(publisher);
    await expect(coalescing.publish(item('a'))).rejects.toThrow('broker away');
    fail = false;
    await expect(coalescing.publish(item('b'))).resolves.toBeUndefined();
  });

  it('keeps one caller’s events in one request, and caps a request at 1,000 events', async () => {
    const calls: number[] = [];
    let release: () => void = () => undefined;
    const publisher = {
      publishAll: (items: Outgoing[]) => {
        calls.push(items.length);
        return calls.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
    } as unknown as EventPublisher;
    const coalescing = new CoalescingPublisher(publisher);
    const many = (n: number, p: string) => Array.from({ length: n }, (_, i) => item(`${p}${i}`));
    const first = coalescing.publishAll(many(1, 'a'));
    const rest = [coalescing.publishAll(many(600, 'b')), coalescing.publishAll(many(600, 'c')), coalescing.publishAll(many(10, 'd'))];
    await Promise.resolve();
    release();
    await Promise.all([first, ...rest]);
    expect(calls).toEqual([1, 600, 610]);
  });

  it('drops what a caller gave up on while it was still queued, and rejects that caller at its deadline', async () => {
    jest.useFakeTimers();
    try {
      const calls: string[][] = [];
      let release: () => void = () => undefined;
      const publisher = {
        publishAll: (items: Outgoing[]) => {
          calls.push(items.map((i) => i.event.id));
          return calls.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
        },
      } as unknown as EventPublisher;
      const coalescing = new CoalescingPublisher(publisher);
      const inFlight = coalescing.publishWithin([item('a')], 1000);
      const late = coalescing.publishWithin([item('b')], 1000);
      const patient = coalescing.publishWithin([item('c')], null);
      await Promise.resolve();
      jest.advanceTimersByTime(1001);
      // 'a' was in flight: its caller is told it took too long, but it stays sent; 'b' never leaves.
      await expect(inFlight).rejects.toThrow('did not acknowledge within 1000 ms');
      await expect(late).rejects.toThrow('did not acknowledge within 1000 ms');
      release();
      await patient;
      expect(calls).toEqual([['a'], ['c']]);
    } finally {
      jest.useRealTimers();
    }
  });

  describe('with a linger', () => {
    const recording = () => {
      const calls: string[][] = [];
      const publisher = { publishAll: async (items: Outgoing[]) => void calls.push(items.map((i) => i.event.id)) } as unknown as EventPublisher;
      return { calls, coalescing: new CoalescingPublisher(publisher, { brokers: [], groupPrefix: '', lingerMs: 30 }) };
    };

    it('holds the first events until others join them, then sends them in one request', async () => {
      const { calls, coalescing } = recording();
      const first = coalescing.publish(item('a'));
      await new Promise((r) => setTimeout(r, 5));
      const second = coalescing.publishAll([item('b'), item('c')]);
      expect(calls).toEqual([]);
      await Promise.all([first, second]);
      expect(calls).toEqual([['a', 'b', 'c']]);
    });

    it('does not hold a full request, and drops what a caller gave up on while it lingered', async () => {
      const { calls, coalescing } = recording();
      const full = coalescing.publishAll(Array.from({ length: 1000 }, (_, i) => item(`f${i}`)));
      await full;
      expect(calls.map((c) => c.length)).toEqual([1000]);
      const impatient = coalescing.publishWithin([item('x')], 1);
      const patient = coalescing.publishWithin([item('y')], null);
      await expect(impatient).rejects.toThrow('did not acknowledge within 1 ms');
      await patient;
      expect(calls.slice(1)).toEqual([['y']]);
    });
  });
});
