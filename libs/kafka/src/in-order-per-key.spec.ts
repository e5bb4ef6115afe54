import fc from 'fast-check';
import { inOrderPerKey, roundsByKey } from './batch-consumer';

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

describe('roundsByKey', () => {
  it('puts the k-th item of every key in round k, in chunk order', () => {
    const items = ['a1', 'b1', 'a2', 'c1', 'a3', 'b2'];
    expect(roundsByKey(items, (i) => i[0])).toEqual([['a1', 'b1', 'c1'], ['a2', 'b2'], ['a3']]);
    expect(roundsByKey([], (i: string) => i)).toEqual([]);
  });

  it('keeps every item once, each key at most once per round, and each key\'s order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.nat())), (items) => {
        const rounds = roundsByKey(items, ([key]) => key);
        expect(rounds.flat().length).toBe(items.length);
        for (const round of rounds) expect(new Set(round.map(([key]) => key)).size).toBe(round.length);
        for (const key of ['a', 'b', 'c', 'd']) {
          expect(rounds.flat().filter(([k]) => k === key)).toEqual(items.filter(([k]) => k === key));
        }
      }),
    );
  });
});
