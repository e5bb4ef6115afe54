import type { OfferMessage } from '@app/contracts';
import { useState } from 'react';
import { messageFor, previewCard } from './card-preview';
import { useT } from './context';

export interface PreviewVariant {
  id: string;
  message: OfferMessage;
  locales: Record<string, OfferMessage>;
}

/**
 * The Messenger card as the shopper will see it, per shopper language and per A/B variant, updated
 * as the form is typed. A variant's card is its own message and translations (as the engine sends it).
 */
export function CardPreview({ message, locales, variants = [] }: { message: OfferMessage; locales: Record<string, OfferMessage>; variants?: PreviewVariant[] }) {
  const t = useT();
  const [locale, setLocale] = useState('fr');
  const [arm, setArm] = useState('default');
  const variant = variants.find((v) => v.id === arm);
  const base = variant ?? { message, locales };
  const choices = [...new Set(['fr', 'en', ...Object.keys(locales), ...variants.flatMap((v) => Object.keys(v.locales))])];
  const card = previewCard(messageFor(base.message, base.locales, locale), locale, { name: t.previewStore });
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
      {variants.length > 0 && (
        <>
          <label htmlFor="preview-variant">{t.previewVariant}</label>
          <select id="preview-variant" value={variant ? arm : 'default'} onChange={(e) => setArm(e.target.value)}>
            <option value="default">{t.defaultMessage}</option>
            {variants.map((v, i) => (
              <option key={i} value={v.id}>
                {t.variantLegend(v.id || String(i + 1))}
              </option>
            ))}
          </select>
        </>
      )}
      <div className="bubble" data-testid="card-preview" data-variant={variant ? variant.id : 'default'} lang={locale} aria-live="polite">
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
