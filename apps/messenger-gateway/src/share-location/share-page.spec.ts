import { pageLang, sharePageHtml } from './share-page';

describe('the location-sharing page', () => {
  it('speaks French to browsers preferring French, English otherwise', () => {
    expect(pageLang('fr-FR,fr;q=0.9,en;q=0.8')).toBe('fr');
    expect(pageLang('en-GB,fr;q=0.5')).toBe('en');
    expect(pageLang(undefined)).toBe('en');
  });

  it('watches the position with accuracy and embeds the token safely', () => {
    const html = sharePageHtml('fr', 'abc</script><script>alert(1)</script>');
    expect(html).toContain('watchPosition');
    expect(html).toContain('accuracyM: c.accuracy');
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html).toContain('Demande de votre position');
  });

  it('tells an expired link', () => {
    expect(sharePageHtml('en', null)).toContain('This link has expired');
  });
});
