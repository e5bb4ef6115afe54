import { assignArm, armId, stickyUnit } from './ab-assignment';

const variants = [
  { id: 'A', weight: 1, message: { title: 'A' } },
  { id: 'B', weight: 3, message: { title: 'B' } },
];

describe('assignArm', () => {
  it('is sticky: the same shopper and offer always get the same arm', () => {
    const offer = { offerId: 'o1', variants, controlShare: 0.2 };
    for (let i = 0; i < 50; i += 1) expect(armId(assignArm(offer, `P:s${i}`))).toBe(armId(assignArm(offer, `P:s${i}`)));
  });

  it.each([
    [{ offerId: 'o1' }, { default: 1 }],
    [{ offerId: 'o1', controlShare: 1 }, { control: 1 }],
    [{ offerId: 'o1', controlShare: 0.1 }, { control: 0.1, default: 0.9 }],
    [{ offerId: 'o1', variants, controlShare: 0.2 }, { control: 0.2, A: 0.2, B: 0.6 }],
    [{ offerId: 'o1', variants }, { A: 0.25, B: 0.75 }],
  ])('splits shoppers by the control share and the weights: %j', (offer, expected) => {
    const n = 20_000;
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i += 1) {
      const arm = armId(assignArm(offer, `P:s${i}`));
      counts[arm] = (counts[arm] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(Object.keys(expected).sort());
    for (const [arm, share] of Object.entries(expected)) expect(counts[arm] / n).toBeCloseTo(share, 1);
  });

  it('draws independently per offer', () => {
    expect(stickyUnit('P:s1', 'o1')).not.toBe(stickyUnit('P:s1', 'o2'));
    expect(stickyUnit('P:s1', 'o1')).toBeGreaterThanOrEqual(0);
    expect(stickyUnit('P:s1', 'o1')).toBeLessThan(1);
  });
});
