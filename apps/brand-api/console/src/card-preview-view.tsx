import type { OfferMessage } from '@app/contracts';
import { useState } from 'react';
import { messageFor, previewCard } from './card-preview';
import { useT } from './context';

/** The Messenger card as the shopper will see it, per shopper language, updated as the form is typed. */
export function CardPreview({ message, locales }: { message: OfferMessage; locales: Record<string, OfferMessage> }) {
  const t = useT();
  const [locale, setLocale] = useState('fr');
  const choices = [...new Set(['fr', 'en', ...Object.keys(locales)])];
  const card = previewCard(messageFor(message, locales, locale), locale, { name: t.previewStore });
  return (
    <section className="preview" aria-labelledby="preview-title">
      <h3 id="preview-title">{t.preview}</h3>
      <label htmlFor="preview-locale">{t.previewLocale}</label>
      <select id="preview-locale" value={locale} onChange={(e) => setLocale(e.target.value)}>
        {choices.map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
      </select>
      <div className="bubble" data-testid="card-preview" lang={locale} aria-live="polite">
        {card.imageUrl && <img src={card.imageUrl} alt="" referrerPolicy="no-referrer" />}
        <div className="card-text">
          <strong className="card-title">{card.title || '…'}</strong>
          {card.subtitle && <span className="card-subtitle">{card.subtitle}</span>}
        </div>
        <ul className="card-buttons">
          {card.buttons.map((b) => (
            <li key={b}>{b}</li>
          ))}
        </ul>
      </div>
    </section>
  );
}
