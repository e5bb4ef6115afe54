import { DecayPolicy, decayedScore, reinforce, scoresAt } from './interest-profile';

const DAY = 24 * 3600 * 1000;
const policy: DecayPolicy = { halfLifeMs: 7 * DAY, floor: 0.01 };

describe('interest profile', () => {
  it.each([
    [0, 1],
    [7 * DAY, 0.5],
    [14 * DAY, 0.25],
    [-DAY, 1], // a clock behind the entry never inflates it
  ])('decays a score of 1 after %d ms to %d', (elapsed, expected) => {
    expect(decayedScore({ score: 1, atMs: 1000 }, 1000 + elapsed, policy)).toBeCloseTo(expected);
  });

  it('adds a new signal to the decayed old score', () => {
    const updated = reinforce({ coffee: { score: 1, atMs: 0 } }, { coffee: 1, bakery: 0.5 }, 7 * DAY, policy);
    expect(updated.coffee.score).toBeCloseTo(1.5);
    expect(updated.bakery).toEqual({ score: 0.5, atMs: 7 * DAY });
  });

  it('drops faded interests', () => {
    expect(scoresAt({ coffee: { score: 1, atMs: 0 }, shoes: { score: 1, atMs: 60 * DAY } }, 60 * DAY, policy)).toEqual({ shoes: 1 });
  });
});
