import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, UNAUTHORIZED_EVENT, api, session } from './api';
import { I18n, pathOf, routeOf, type Route } from './context';
import { DecisionsView } from './decisions-view';
import { MESSAGES, pickLang, type Lang, type Messages } from './i18n';
import { MapView } from './map-view';
import { OffersView } from './offers-view';
import { ResultsView } from './results-view';

const LANG_KEY = 'brand-console.lang';

function SignIn({ t, notice, onSignedIn }: { t: Messages; notice: string | null; onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // Any brand endpoint tells a valid key from a wrong one; the smallest page of stores will do.
      await api('GET', '/v1/stores?limit=1', undefined, key.trim());
      session.signIn(key.trim());
      onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t.wrongKey : err instanceof ApiError && err.status === 0 ? t.networkError : String((err as Error).message));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <h1>{t.appTitle}</h1>
      <form onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <h2 id="sign-in-title">{t.signInTitle}</h2>
        <p id="sign-in-help">{t.signInHelp}</p>
        <label htmlFor="api-key">{t.apiKey}</label>
        <input
          id="api-key"
          name="apiKey"
          type="password"
          autoComplete="off"
          required
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-describedby={error ? 'sign-in-help sign-in-error' : 'sign-in-help'}
          aria-invalid={error ? true : undefined}
        />
        {error && (
          <p id="sign-in-error" className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || key.trim() === ''}>
          {busy ? t.signingIn : t.signIn}
        </button>
      </form>
    </main>
  );
}

export function App() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) as Lang | null) ?? pickLang(navigator.languages));
  const [signedIn, setSignedIn] = useState(() => session.key() !== null);
  const [route, setRoute] = useState<Route>(() => routeOf(location.pathname));
  const [notice, setNotice] = useState<string | null>(null);
  const t = MESSAGES[lang];

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.appTitle;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang, t]);

  useEffect(() => {
    const onPop = () => setRoute(routeOf(location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const navigate = useCallback((next: Route) => {
    history.pushState(null, '', pathOf(next));
    setRoute(next);
    document.getElementById('main')?.focus();
  }, []);

  const signOut = useCallback(() => {
    session.signOut();
    setSignedIn(false);
  }, []);

  useEffect(() => {
    // The key was revoked while the console was open: back to the sign-in form, saying why.
    const onUnauthorized = () => {
      setNotice(t.wrongKey);
      signOut();
    };
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, [signOut, t]);

  const languageSwitch = (
    <div className="lang">
      <label htmlFor="lang">{t.language}</label>
      <select id="lang" value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        <option value="fr">Français</option>
        <option value="en">English</option>
      </select>
    </div>
  );

  const views: { route: Route; label: string }[] = [
    { route: { view: 'map' }, label: t.navMap },
    { route: { view: 'offers' }, label: t.navOffers },
    { route: { view: 'results', offerId: route.view === 'results' ? route.offerId : null }, label: t.navResults },
    { route: { view: 'decisions' }, label: t.navDecisions },
  ];

  return (
    <I18n.Provider value={t}>
      <a className="skip" href="#main">
        {t.skipToContent}
      </a>
      <header className="top">
        <span className="brand">{t.appTitle}</span>
        {signedIn && (
          <nav aria-label={t.appTitle}>
            <ul>
              {views.map((v) => (
                <li key={v.route.view}>
                  <a
                    href={pathOf(v.route)}
                    aria-current={route.view === v.route.view ? 'page' : undefined}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(v.route);
                    }}
                  >
                    {v.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {languageSwitch}
        {signedIn && (
          <button type="button" className="sign-out" onClick={signOut}>
            {t.signOut}
          </button>
        )}
      </header>
      {!signedIn ? (
        <SignIn
          key={lang}
          t={t}
          notice={notice}
          onSignedIn={() => {
            setNotice(null);
            setSignedIn(true);
          }}
        />
      ) : (
        <main id="main" tabIndex={-1}>
          {route.view === 'map' && <MapView openResults={(offerId) => navigate({ view: 'results', offerId })} />}
          {route.view === 'offers' && <OffersView openResults={(offerId) => navigate({ view: 'results', offerId })} />}
          {route.view === 'results' && <ResultsView offerId={route.offerId} choose={(offerId) => navigate({ view: 'results', offerId })} />}
          {route.view === 'decisions' && <DecisionsView />}
        </main>
      )}
    </I18n.Provider>
  );
}
