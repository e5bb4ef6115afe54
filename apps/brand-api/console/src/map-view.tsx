import type { Geofence } from '@app/contracts';
import type { FeatureCollection } from 'geojson';
import { useEffect, useMemo, useRef, useState } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries from 'world-atlas/countries-50m.json';
import { api, listAll } from './api';
import { useT } from './context';
import { boundsOf, fenceShape } from './geofence-shapes';
import L from './leaflet-cluster';
import type { OfferView } from './offer-form';
import { totalsOf, type OfferTimeseries } from './results';
import { StoreEditor, type FieldWarning, type StoreWithWarnings } from './store-editor';

/** A store as GET /v1/stores answers it (stores/store.view.ts). */
export interface StoreView {
  id: string;
  name: string;
  externalId: string | null;
  location: { lat: number; lng: number };
  geofence: Geofence;
  timezone: string;
  openingHours: string | null;
  tags: string[];
  country?: string | null;
  version?: number;
}

/** Fences are drawn from this zoom on: below it they are smaller than their marker. */
const FENCE_MIN_ZOOM = 12;
const LIST_LIMIT = 200;

interface ConsoleConfig {
  tileUrl: string | null;
  tileAttribution: string | null;
}

export function MapView({ openResults }: { openResults: (offerId: string) => void }) {
  const t = useT();
  const [stores, setStores] = useState<StoreView[] | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [offers, setOffers] = useState<OfferView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<StoreView | null>(null);
  const [filter, setFilter] = useState('');
  const mapElement = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  /** Each store's pin and fence, to redraw one store after an edit without rebuilding the map. */
  const layers = useRef(new Map<string, { marker: L.Marker; fence: L.Path }>());

  useEffect(() => {
    let cancelled = false;
    Promise.all([listAll<StoreView>('/v1/stores'), listAll<OfferView>('/v1/offers')])
      .then(([s, o]) => {
        if (cancelled) return;
        setStores(s);
        setOffers(o);
        setLoaded(true);
      })
      .catch((e: Error) => !cancelled && setError(e.message));
    return () => {
      cancelled = true;
    };
  }, []);

  // The map: bundled country outlines (works offline), online tiles only when configured.
  useEffect(() => {
    if (!mapElement.current || !loaded || !stores) return;
    // Without tiles nothing sets the zoom range, and clustering needs one.
    const m = L.map(mapElement.current, { preferCanvas: true, worldCopyJump: true, keyboard: true, minZoom: 2, maxZoom: 19 });
    map.current = m;
    const world = countries as unknown as Topology<{ countries: GeometryCollection }>;
    L.geoJSON(feature(world, world.objects.countries) as FeatureCollection, {
      style: { color: '#8a94a6', weight: 1, fillColor: '#eef1f5', fillOpacity: 1 },
      interactive: false,
    }).addTo(m);
    api<ConsoleConfig>('GET', '/console/config.json')
      .then((config) => {
        if (config.tileUrl) L.tileLayer(config.tileUrl, { attribution: config.tileAttribution ?? '', maxZoom: 19 }).addTo(m);
      })
      .catch(() => undefined);

    const clusters = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
    const fences = L.layerGroup();
    const renderer = L.canvas();
    for (const store of stores) {
      const marker = L.marker([store.location.lat, store.location.lng], {
        icon: L.divIcon({ className: 'store-pin', iconSize: [14, 14] }),
        title: store.name,
        alt: store.name,
        keyboard: false,
      });
      marker.on('click', () => setSelected(store));
      clusters.addLayer(marker);
      const shape = fenceShape(store.location, store.geofence);
      const style = { color: '#1f6feb', weight: 1.5, fillOpacity: 0.15, renderer };
      const layer = shape.kind === 'circle' ? L.circle(shape.center, { ...style, radius: shape.radiusM }) : L.polygon(shape.polygons, style);
      layer.on('click', () => setSelected(store));
      fences.addLayer(layer);
      layers.current.set(store.id, { marker, fence: layer });
    }
    m.addLayer(clusters);
    const showFences = () => {
      if (m.getZoom() >= FENCE_MIN_ZOOM) m.addLayer(fences);
      else m.removeLayer(fences);
    };
    m.on('zoomend', showFences);
    const bounds = boundsOf(stores.map((s) => s.location));
    if (bounds) m.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
    else m.setView([46.6, 2.4], 5);
    showFences();
    return () => {
      m.remove();
      map.current = null;
      layers.current.clear();
    };
    // Drawn once per load (`loaded`): an edit updates its own store's layers (storeSaved), not the whole map.
  }, [loaded]);

  /** After a PATCH: the list, the panel and the store's own pin and fence show the saved store. */
  const storeSaved = (saved: StoreView) => {
    setStores((all) => (all ?? []).map((s) => (s.id === saved.id ? saved : s)));
    setSelected(saved);
    const drawn = layers.current.get(saved.id);
    if (drawn) {
      drawn.marker.options.title = saved.name;
      drawn.marker.off('click').on('click', () => setSelected(saved));
      drawn.fence.off('click').on('click', () => setSelected(saved));
      if (saved.geofence.type === 'circle' && drawn.fence instanceof L.Circle) drawn.fence.setRadius(saved.geofence.radiusM);
    }
  };

  const select = (store: StoreView) => {
    setSelected(store);
    map.current?.setView([store.location.lat, store.location.lng], Math.max(map.current.getZoom(), 16));
  };

  const matching = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return (stores ?? []).filter((s) => !f || s.name.toLowerCase().includes(f) || (s.externalId ?? '').toLowerCase().includes(f));
  }, [stores, filter]);

  return (
    <section className="map-view" aria-labelledby="map-title">
      <h1 id="map-title">
        {t.mapTitle} {stores && <span className="count" data-testid="store-count">({t.storesLoaded(stores.length)})</span>}
      </h1>
      {error && <p role="alert" className="error">{error}</p>}
      {!stores && !error && <p role="status">{t.loading}</p>}
      <div className="map-layout">
        <div ref={mapElement} id="map" className="map" role="region" aria-label={t.mapLabel} />
        <aside className="side" aria-label={t.storeList}>
          {selected ? (
            <StorePanel store={selected} offers={offers} close={() => setSelected(null)} openResults={openResults} storeSaved={storeSaved} />
          ) : (
            <>
              <h2>{t.storeList}</h2>
              <label htmlFor="store-filter">{t.filterStores}</label>
              <input id="store-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
              <ul className="store-list">
                {matching.slice(0, LIST_LIMIT).map((s) => (
                  <li key={s.id}>
                    <button type="button" onClick={() => select(s)}>
                      {s.name}
                    </button>
                  </li>
                ))}
              </ul>
              {matching.length > LIST_LIMIT && <p>{t.moreStores(matching.length - LIST_LIMIT)}</p>}
            </>
          )}
        </aside>
      </div>
    </section>
  );
}

type HoursVerdict = 'open' | 'closed' | 'invalid_hours';

function StorePanel({
  store,
  offers,
  close,
  openResults,
  storeSaved,
}: {
  store: StoreView;
  offers: OfferView[];
  close: () => void;
  openResults: (offerId: string) => void;
  storeSaved: (store: StoreView) => void;
}) {
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<{ name: string; warnings: FieldWarning[] } | null>(null);
  const [verdict, setVerdict] = useState<HoursVerdict | null>(null);
  const [totals, setTotals] = useState<Record<string, ReturnType<typeof totalsOf>>>({});
  const here = useMemo(() => offers.filter((o) => o.storeIds.length === 0 || o.storeIds.includes(store.id)), [offers, store.id]);

  useEffect(() => {
    heading.current?.focus();
    setEditing(false);
    setSaved(null);
  }, [store.id]);

  const onSaved = ({ warnings, ...view }: StoreWithWarnings) => {
    setEditing(false);
    setSaved({ name: view.name, warnings });
    storeSaved(view);
    // Back to the button that opened the form, so the keyboard user is where they were.
    requestAnimationFrame(() => editButton.current?.focus());
  };

  useEffect(() => {
    let cancelled = false;
    // The engine's own rule, loaded on demand (opening_hours and its holiday tables are large).
    import('../../../promotion-engine/src/decisions/local-time')
      .then(({ storeHoursVerdict }) => !cancelled && setVerdict(storeHoursVerdict(Date.now(), store.timezone, store.openingHours, store.country ?? null)))
      .catch(() => !cancelled && setVerdict('invalid_hours'));
    Promise.all(
      here.slice(0, 20).map(async (o) => {
        const series = await api<OfferTimeseries>('GET', `/v1/offers/${o.id}/stats/timeseries?bucket=day&storeId=${store.id}`);
        return [o.id, totalsOf(series.points)] as const;
      }),
    )
      .then((entries) => !cancelled && setTotals(Object.fromEntries(entries)))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [store, here]);

  return (
    <div className="store-panel" data-store-id={store.id}>
      <h2 ref={heading} tabIndex={-1} data-testid="store-name">
        {store.name}
      </h2>
      <div className="buttons">
        <button type="button" onClick={close}>
          {t.close}
        </button>
        {!editing && (
          <button type="button" ref={editButton} onClick={() => setEditing(true)}>
            {t.editStore}
          </button>
        )}
      </div>
      {saved && (
        <div role="status" className="status" data-testid="store-saved">
          <p>{t.storeSaved(saved.name)}</p>
          {saved.warnings.length > 0 && (
            <>
              <p>{t.warnings}</p>
              <ul className="warnings" data-testid="store-warnings">
                {saved.warnings.map((w, i) => (
                  <li key={i} data-field={w.field}>
                    {w.message}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      {editing && <StoreEditor store={store} saved={onSaved} cancel={() => setEditing(false)} />}
      <dl>
        <dt>{t.hours}</dt>
        <dd>
          {store.openingHours ? <code>{store.openingHours}</code> : t.noHours}
          {verdict && (
            <span className={`verdict ${verdict}`}> — {verdict === 'open' ? t.openNow : verdict === 'closed' ? t.closedNow : t.hoursUnknown}</span>
          )}
        </dd>
        <dt>{t.timezone}</dt>
        <dd>{store.timezone}</dd>
        <dt>{t.tags}</dt>
        <dd data-testid="store-tags">{store.tags.length > 0 ? store.tags.join(', ') : '—'}</dd>
        {store.geofence.type === 'circle' && (
          <>
            <dt>{t.radiusM}</dt>
            <dd data-testid="store-radius">{store.geofence.radiusM}</dd>
          </>
        )}
      </dl>
      <h3>{t.offersHere}</h3>
      {here.length === 0 ? (
        <p>{t.noOffersHere}</p>
      ) : (
        <table>
          <caption>{t.resultsHere}</caption>
          <thead>
            <tr>
              <th scope="col">{t.offer}</th>
              <th scope="col">{t.status}</th>
              <th scope="col">{t.sent}</th>
              <th scope="col">{t.delivered}</th>
              <th scope="col">{t.clicked}</th>
            </tr>
          </thead>
          <tbody>
            {here.map((o) => (
              <tr key={o.id}>
                <td>
                  <a
                    href={`/console/results/${o.id}`}
                    onClick={(e) => {
                      e.preventDefault();
                      openResults(o.id);
                    }}
                  >
                    {o.name}
                  </a>
                </td>
                <td>{t[o.status]}</td>
                <td>{totals[o.id]?.sent ?? '…'}</td>
                <td>{totals[o.id]?.delivered ?? '…'}</td>
                <td>{totals[o.id]?.clicked ?? '…'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
