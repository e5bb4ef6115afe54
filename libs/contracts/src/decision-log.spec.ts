import fc from 'fast-check';
import { CONSIDERED_REASONS, ConsideredOffer, DecisionLogEntry, packConsidered, readDecisionLogEntry } from './decision-log';

const entryWith = (considered: unknown): string =>
  JSON.stringify({ visitId: 'v1', decidedAt: '2026-11-25T10:00:00.000Z', reason: 'cooldown', request: null, outcome: 'skip', considered });

describe('the stored form of considered offers', () => {
  const cases: [string, ConsideredOffer[], string][] = [
    ['nothing considered', [], '[]'],
    ['one reason, by number', [{ offerId: 'o1', reason: 'chosen' }], '[["o1",0]]'],
    ['with an interest score', [{ offerId: 'o1', reason: 'outranked', interestScore: 1.25 }], '[["o1",1,1.25]]'],
    ['a zero interest score is kept', [{ offerId: 'o1', reason: 'outranked', interestScore: 0 }], '[["o1",1,0]]'],
    [
      'several rules failed, the first is the reason',
      [{ offerId: 'o2', reason: 'opted_out', reasons: ['opted_out', 'trigger_mismatch', 'audience_interests'], interestScore: 0.4 }],
      '[["o2",[3,13,18],0.4]]',
    ],
    ['a reason without a number goes by name', [{ offerId: 'o3', reason: 'a_future_rule', reasons: ['a_future_rule', 'cooldown'] }], '[["o3",["a_future_rule",21]]]'],
    ['an id that needs escaping', [{ offerId: 'o"4\\,;|=é', reason: 'budget_exhausted' }], '[["o\\"4\\\\,;|=é",24]]'],
    ['reasons that do not start with the reason stay an object', [{ offerId: 'o5', reason: 'cooldown', reasons: ['cap_total', 'cooldown'] }], '[{"offerId":"o5","reason":"cooldown","reasons":["cap_total","cooldown"]}]'],
    ['an empty list of reasons stays an object', [{ offerId: 'o6', reason: 'cooldown', reasons: [] }], '[{"offerId":"o6","reason":"cooldown","reasons":[]}]'],
  ];

  it.each(cases)('%s', (_, considered, packed) => {
    expect(packConsidered(considered)).toBe(packed);
    const read = DecisionLogEntry.parse(readDecisionLogEntry(entryWith(JSON.parse(packed))));
    expect(read.considered).toEqual(considered);
    // The same objects, key for key, as the engine built them.
    expect(JSON.stringify(read.considered)).toBe(JSON.stringify(considered));
  });

  it('writes what JSON.stringify of the packed items writes (the form before its fragments were cached)', () => {
    const codeOf = (reason: string): number | string => (CONSIDERED_REASONS.includes(reason) ? CONSIDERED_REASONS.indexOf(reason) : reason);
    const reference = (considered: ConsideredOffer[]): string =>
      JSON.stringify(
        considered.map((c) => {
          if (c.reasons && (c.reasons.length === 0 || c.reasons[0] !== c.reason)) return c;
          const reason = c.reasons ? c.reasons.map(codeOf) : codeOf(c.reason);
          return c.interestScore === undefined ? [c.offerId, reason] : [c.offerId, reason, c.interestScore];
        }),
      );
    const reasons = fc.oneof(fc.constantFrom(...CONSIDERED_REASONS), fc.string());
    const offer = fc.record(
      { offerId: fc.oneof(fc.constantFrom('o1', 'o2', 'o"3'), fc.string()), reason: reasons, reasons: fc.array(reasons, { maxLength: 3 }), interestScore: fc.oneof(fc.double(), fc.constantFrom(0, 1.25)) },
      { requiredKeys: ['offerId', 'reason'] },
    );
    fc.assert(fc.property(fc.array(offer, { maxLength: 25 }), (considered) => expect(packConsidered(considered)).toBe(reference(considered))), { numRuns: 2000 });
  });

  it('reads an entry stored before the packed form as it is', () => {
    const considered = [{ offerId: 'o1', reason: 'chosen', interestScore: 2 }, { offerId: 'o2', reason: 'offer_ended', reasons: ['offer_ended', 'trigger_mismatch'] }];
    expect(DecisionLogEntry.parse(readDecisionLogEntry(entryWith(considered))).considered).toEqual(considered);
  });

  it('numbers every reason once (the list only grows: stored entries refer to its numbers)', () => {
    expect(new Set(CONSIDERED_REASONS).size).toBe(CONSIDERED_REASONS.length);
    expect(CONSIDERED_REASONS.slice(0, 4)).toEqual(['chosen', 'outranked', 'not_tried', 'opted_out']);
    expect(CONSIDERED_REASONS.at(-1)).toBe('budget_exhausted');
  });

  it('leaves what is not a decision to the schema', () => {
    expect(readDecisionLogEntry('{"broken":true}')).toEqual({ broken: true });
    expect(DecisionLogEntry.safeParse(readDecisionLogEntry(entryWith([['o1', 99]]))).success).toBe(false);
    expect(() => readDecisionLogEntry('not json')).toThrow();
  });
});
