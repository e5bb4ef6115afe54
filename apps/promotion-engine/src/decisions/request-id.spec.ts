import { deterministicId } from '@app/contracts';
import { localeKeyFor, requestIdOf } from './decide-promotion.usecase';

describe('requestIdOf', () => {
  it('is deterministicId("send", visitId, offerId): the idempotency key delivery expects', () => {
    expect(requestIdOf('visit-1', 'offer-1')).toBe(deterministicId('send', 'visit-1', 'offer-1'));
  });
});

describe('localeKeyFor', () => {
  it.each([
    [{ fr: 1, en: 1 }, 'fr-FR', 'fr'],
    [{ 'fr-CA': 1, fr: 1 }, 'fr-CA', 'fr-CA'],
    [{ en: 1 }, 'fr', 'default'],
    [{}, 'en', 'default'],
  ])('%j for %s → %s', (locales, locale, key) => {
    expect(localeKeyFor(locales, locale)).toBe(key);
  });
});
