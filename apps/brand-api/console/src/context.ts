import { createContext, useContext } from 'react';
import type { Messages } from './i18n';

export const I18n = createContext<Messages | null>(null);

export function useT(): Messages {
  const t = useContext(I18n);
  if (!t) throw new Error('useT outside <I18n.Provider>');
  return t;
}

/** Client routes under /console (brand-api answers index.html for each of them). */
export type Route = { view: 'map' } | { view: 'offers' } | { view: 'results'; offerId: string | null } | { view: 'decisions' };

export function routeOf(pathname: string): Route {
  const parts = pathname.replace(/^\/console\/?/, '').split('/').filter(Boolean);
  switch (parts[0]) {
    case 'offers':
      return { view: 'offers' };
    case 'results':
      return { view: 'results', offerId: parts[1] ?? null };
    case 'decisions':
      return { view: 'decisions' };
    default:
      return { view: 'map' };
  }
}

export function pathOf(route: Route): string {
  return route.view === 'results' && route.offerId ? `/console/results/${route.offerId}` : `/console/${route.view === 'map' ? '' : route.view}`;
}
