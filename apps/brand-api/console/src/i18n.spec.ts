import { MESSAGES, pickLang } from './i18n';

describe('console languages', () => {
  it('follows the browser’s first known language, else English', () => {
    expect(pickLang(['fr-FR', 'en-US'])).toBe('fr');
    expect(pickLang(['de-DE', 'en-GB', 'fr'])).toBe('en');
    expect(pickLang(['de-DE'])).toBe('en');
    expect(pickLang([])).toBe('en');
  });

  it('has every text in both languages', () => {
    expect(Object.keys(MESSAGES.fr).sort()).toEqual(Object.keys(MESSAGES.en).sort());
    for (const [key, text] of Object.entries(MESSAGES.fr)) expect([key, typeof text]).toEqual([key, typeof MESSAGES.en[key as keyof typeof MESSAGES.en]]);
  });
});
