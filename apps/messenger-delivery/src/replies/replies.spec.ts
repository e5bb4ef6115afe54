import { needsReply, renderReply, replyLang } from './replies';

describe('the bot replies', () => {
  it('answers in the language of the shopper’s words, else the default', () => {
    expect(replyLang({ text: 'promos près de moi' }, 'en')).toBe('fr');
    expect(replyLang({ text: 'ARRÊT' }, 'en')).toBe('fr');
    expect(replyLang({ text: 'any deals near me?' }, 'fr')).toBe('en');
    expect(replyLang({ text: 'UNSUBSCRIBE' }, 'fr')).toBe('en');
    expect(replyLang({ text: 'STOP' }, 'fr')).toBe('fr');
    expect(replyLang({ text: null }, 'en')).toBe('en');
  });

  it('answers commands only, not receipts', () => {
    expect(needsReply({ command: 'stop', kind: 'text' })).toBe(true);
    expect(needsReply({ command: null, kind: 'text' })).toBe(false);
    expect(needsReply({ command: 'stop', kind: 'read' })).toBe(false);
  });

  it('offers the location page behind a button, and confirms stop and start in text', () => {
    const nearby = renderReply('nearby', 'S', 'fr', 'https://gw.example/share-location?t=x') as {
      message: { attachment: { payload: { text: string; buttons: { url?: string; title: string }[] } } };
    };
    expect(nearby.message.attachment.payload.buttons[0]).toMatchObject({ url: 'https://gw.example/share-location?t=x', title: 'Partager ma position' });
    for (const b of nearby.message.attachment.payload.buttons) expect(b.title.length).toBeLessThanOrEqual(20);
    expect(nearby.message.attachment.payload.text.length).toBeLessThanOrEqual(640);
    expect(renderReply('stop', 'S', 'en', '')).toMatchObject({ message: { text: expect.stringContaining('START') } });
    expect(renderReply('start', 'S', 'fr', '')).toMatchObject({ message: { text: expect.stringContaining('STOP') } });
  });
});
