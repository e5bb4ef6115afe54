import { activationProblem, transitionProblem } from './offer-lifecycle';

describe('offer lifecycle', () => {
  it.each([
    ['draft', 'active'],
    ['draft', 'ended'],
    ['active', 'paused'],
    ['paused', 'active'],
    ['active', 'ended'],
    ['paused', 'ended'],
    ['active', 'active'],
  ] as const)('allows %s → %s', (from, to) => {
    expect(transitionProblem(from, to)).toBeNull();
  });

  it.each([
    ['draft', 'paused'],
    ['active', 'draft'],
    ['paused', 'draft'],
    ['ended', 'active'],
    ['ended', 'draft'],
  ] as const)('refuses %s → %s', (from, to) => {
    expect(transitionProblem(from, to)).toMatch(/cannot go|final/);
  });

  it('refuses to activate an offer whose window is over', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    expect(activationProblem('active', new Date('2026-03-01T11:00:00Z'), now)).toMatch(/past/);
    expect(activationProblem('active', new Date('2026-03-02T11:00:00Z'), now)).toBeNull();
    expect(activationProblem('draft', new Date('2026-03-01T11:00:00Z'), now)).toBeNull();
  });
});
