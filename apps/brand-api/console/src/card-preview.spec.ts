import { messageFor, previewCard } from './card-preview';

describe('console Messenger card preview', () => {
  const message = { title: 'Un croissant offert', subtitle: 'Aujourd’hui seulement', imageUrl: 'https://cdn.example.com/c.jpg', url: 'https://example.com/c' };
  const locales = { en: { title: 'A free croissant' }, 'fr-CA': { title: 'Un croissant gratuit' } };

  it('picks the message for a locale as the engine does: exact, then language, else default', () => {
    expect(messageFor(message, locales, 'fr-CA').title).toBe('Un croissant gratuit');
    expect(messageFor(message, locales, 'en-GB').title).toBe('A free croissant');
    expect(messageFor(message, locales, 'fr').title).toBe('Un croissant offert');
  });

  it('shows the card delivery would send, in the shopper’s language', () => {
    expect(previewCard(message, 'fr', { name: 'Rivoli', location: { lat: 48.86, lng: 2.33 } })).toEqual({
      title: 'Un croissant offert',
      subtitle: 'Aujourd’hui seulement',
      imageUrl: 'https://cdn.example.com/c.jpg',
      opensLink: true,
      buttons: ['Itinéraire', 'Voir l’offre', 'Stop promos proches'],
    });
    const en = previewCard({ title: 'A free croissant' }, 'en', { name: 'Rivoli' });
    expect(en).toEqual({ title: 'A free croissant', subtitle: 'Rivoli', imageUrl: null, opensLink: false, buttons: ['Directions', 'Stop nearby deals'] });
  });
});
