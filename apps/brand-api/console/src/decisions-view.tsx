import type { DecisionLogEntry } from '@app/contracts';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, listAll } from './api';
import { useT } from './context';
import type { OfferView } from './offer-form';

export function DecisionsView() {
  const t = useT();
  const [shopperId, setShopperId] = useState('');
  const [decisions, setDecisions] = useState<DecisionLogEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [offerNames, setOfferNames] = useState<Map<string, string>>(new Map());

  useEffect(() => {
    listAll<OfferView>('/v1/offers').then((offers) => setOfferNames(new Map(offers.map((o) => [o.id, o.name]))), () => undefined);
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const view = await api<{ decisions: DecisionLogEntry[] }>('GET', `/v1/decisions?shopperId=${encodeURIComponent(shopperId.trim())}`);
      setDecisions(view.decisions);
    } catch (err) {
      setDecisions(null);
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }

  return (
    <section aria-labelledby="decisions-title">
      <h1 id="decisions-title">{t.decisionsTitle}</h1>
      <form onSubmit={submit} className="inline">
        <label htmlFor="shopper-id">{t.shopperId}</label>
        <input id="shopper-id" value={shopperId} onChange={(e) => setShopperId(e.target.value)} required aria-describedby={error ? 'decisions-error' : undefined} />
        <button type="submit">{t.explain}</button>
      </form>
      {error && (
        <p id="decisions-error" role="alert" className="error">
          {error}
        </p>
      )}
      {decisions && decisions.length === 0 && <p>{t.noDecisions}</p>}
      {decisions && decisions.length > 0 && (
        <table className="decisions">
          <thead>
            <tr>
              <th scope="col">{t.decidedAt}</th>
              <th scope="col">{t.reason}</th>
              <th scope="col">{t.considered}</th>
              <th scope="col">{t.sentRequest}</th>
            </tr>
          </thead>
          <tbody>
            {decisions.map((d) => (
              <tr key={`${d.visitId}-${d.decidedAt}`}>
                <td>{new Date(d.decidedAt).toLocaleString()}</td>
                <td>
                  <code>{d.reason ?? d.outcome ?? 'send'}</code>
                </td>
                <td>
                  <ul>
                    {d.considered.map((c) => (
                      <li key={c.offerId}>
                        {offerNames.get(c.offerId) ?? <code>{c.offerId}</code>}: <code>{c.reasons?.join(', ') ?? c.reason}</code>
                      </li>
                    ))}
                  </ul>
                </td>
                <td>{d.request ? d.request.message.title : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
