import { wavesOf } from './decide-promotion.usecase';

const t = (shopperId: string, transition: string, locationEventId: string, distanceM: number) => ({ data: { shopperId, transition, locationEventId, distanceM } });

describe('wavesOf', () => {
  it('puts each shopper once per wave, in the order of their transitions, and skips exits', () => {
    const events = [t('a', 'enter', 'e1', 5), t('b', 'enter', 'e2', 5), t('a', 'exit', 'e3', 50), t('a', 'enter', 'e4', 3), t('b', 'dwell', 'e5', 1)];
    expect(wavesOf(events)).toEqual([[0, 1], [3, 4]]);
  });

  it('takes one share\'s transitions at several stores nearest first, keeping the order of shares', () => {
    const events = [t('a', 'enter', 'e1', 40), t('a', 'enter', 'e1', 12), t('a', 'enter', 'e1', 25), t('a', 'dwell', 'e2', 90), t('a', 'enter', 'e2', 10)];
    expect(wavesOf(events)).toEqual([[1], [2], [0], [4], [3]]);
  });
});
