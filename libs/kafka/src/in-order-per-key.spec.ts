import { inOrderPerKey } from './batch-consumer';

const tick = () => new Promise((r) => setImmediate(r));

describe('inOrderPerKey', () => {
  it('keeps each key in order, runs keys at once up to the bound, and reports the first failure after all finished', async () => {
    const seen: string[] = [];
    let inFlight = 0;
    let peak = 0;
    const items = ['a1', 'b1', 'a2', 'c1', 'b2', 'd1', 'a3'].map((id) => ({ key: id[0], id }));
    await inOrderPerKey(
      items,
      (i) => i.key,
      async (i) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await tick();
        seen.push(i.id);
        inFlight -= 1;
      },
      2,
    );
    expect(peak).toBe(2);
    for (const key of ['a', 'b']) expect(seen.filter((s) => s[0] === key)).toEqual(items.filter((i) => i.key === key).map((i) => i.id));
    expect(seen.sort()).toEqual(items.map((i) => i.id).sort());

    const done: string[] = [];
    await expect(
      inOrderPerKey(items, (i) => i.key, async (i) => {
        if (i.id === 'b1') throw new Error('b1 failed');
        done.push(i.id);
      }),
    ).rejects.toThrow('b1 failed');
    // b's later items wait for b1 (never run); every other key ran to the end.
    expect(done.sort()).toEqual(['a1', 'a2', 'a3', 'c1', 'd1']);
  });
});
