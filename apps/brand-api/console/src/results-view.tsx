import type { ChartConfiguration } from 'chart.js';
import { useEffect, useMemo, useState } from 'react';
import { api, listAll } from './api';
import { ChartCanvas } from './chart-canvas';
import { useT } from './context';
import type { OfferView } from './offer-form';
import { FUNNEL_STEPS, funnel, funnelSeries, skipSeries, type OfferStats, type OfferTimeseries } from './results';

/** Results refresh while the page is open, so a visit shows up without reloading. */
const REFRESH_MS = 3000;
const COLORS = ['#1f6feb', '#2da44e', '#bf8700', '#8250df', '#cf222e', '#57606a', '#0a7ea4', '#d4a72c'];

export function ResultsView({ offerId, choose }: { offerId: string | null; choose: (offerId: string) => void }) {
  const t = useT();
  const [offers, setOffers] = useState<OfferView[]>([]);
  const [stats, setStats] = useState<OfferStats | null>(null);
  const [series, setSeries] = useState<OfferTimeseries | null>(null);
  const [bucket, setBucket] = useState<'hour' | 'day'>('hour');
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    listAll<OfferView>('/v1/offers').then(setOffers, (e: Error) => setError(e.message));
  }, []);

  useEffect(() => {
    if (!offerId) return;
    let cancelled = false;
    const load = async () => {
      try {
        const [s, ts] = await Promise.all([
          api<OfferStats>('GET', `/v1/offers/${offerId}/stats`),
          api<OfferTimeseries>('GET', `/v1/offers/${offerId}/stats/timeseries?bucket=${bucket}`),
        ]);
        if (cancelled) return;
        setStats(s);
        setSeries(ts);
        setUpdatedAt(new Date());
        setError(null);
      } catch (e) {
        if (!cancelled) setError((e as Error).message);
      }
    };
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [offerId, bucket]);

  const steps = stats ? funnel(stats) : [];
  const timeLabel = (iso: string) => (bucket === 'hour' ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : new Date(iso).toLocaleDateString());

  const funnelConfig = useMemo<ChartConfiguration>(
    () => ({
      type: 'bar',
      data: { labels: FUNNEL_STEPS.map((s) => t[s]), datasets: [{ label: t.funnel, data: steps.map((s) => s.count), backgroundColor: COLORS[0] }] },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    }),
    [stats, t],
  );
  const timeConfig = useMemo<ChartConfiguration>(() => {
    const lines = series ? funnelSeries(series) : { labels: [], datasets: [] };
    return {
      type: 'line',
      data: {
        labels: lines.labels.map(timeLabel),
        datasets: lines.datasets.map((d, i) => ({ label: t[d.step], data: d.data, borderColor: COLORS[i], backgroundColor: COLORS[i], tension: 0.2 })),
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    };
  }, [series, t]);
  const skipConfig = useMemo<ChartConfiguration>(() => {
    const bars = series ? skipSeries(series) : { labels: [], datasets: [] };
    return {
      type: 'bar',
      data: { labels: bars.labels.map(timeLabel), datasets: bars.datasets.map((d, i) => ({ label: d.reason, data: d.data, backgroundColor: COLORS[(i + 4) % COLORS.length] })) },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    };
  }, [series]);

  return (
    <section aria-labelledby="results-title">
      <h1 id="results-title">{t.resultsTitle}</h1>
      <div className="controls">
        <label htmlFor="results-offer">{t.offer}</label>
        <select id="results-offer" value={offerId ?? ''} onChange={(e) => e.target.value && choose(e.target.value)}>
          <option value="">{t.chooseOffer}</option>
          {offers.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
        <label htmlFor="results-bucket">{t.bucket}</label>
        <select id="results-bucket" value={bucket} onChange={(e) => setBucket(e.target.value as 'hour' | 'day')}>
          <option value="hour">{t.hour}</option>
          <option value="day">{t.day}</option>
        </select>
        {updatedAt && <span className="updated">{t.lastUpdated(updatedAt.toLocaleTimeString())}</span>}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {stats && (
        <div className="results-grid">
          <section aria-labelledby="funnel-title">
            <h2 id="funnel-title">{t.funnel}</h2>
            <ChartCanvas config={funnelConfig} label={t.chartFunnel} testId="funnel-chart" />
            <table className="funnel" aria-live="polite">
              <caption className="visually-hidden">{t.funnel}</caption>
              <tbody>
                {steps.map((s) => (
                  <tr key={s.step}>
                    <th scope="row">{t[s.step]}</th>
                    <td data-step={s.step}>{s.count}</td>
                    <td>{s.ofPrevious === null ? '' : `${Math.round(s.ofPrevious * 100)} %`}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">{t.skipped}</th>
                  <td data-step="skipped">{stats.skipped}</td>
                  <td />
                </tr>
                <tr>
                  <th scope="row">{t.failed}</th>
                  <td data-step="failed">{stats.failed}</td>
                  <td />
                </tr>
              </tbody>
            </table>
          </section>
          <section aria-labelledby="time-title">
            <h2 id="time-title">{t.overTime}</h2>
            <ChartCanvas config={timeConfig} label={t.chartTime} testId="time-chart" />
          </section>
          <section aria-labelledby="skips-title">
            <h2 id="skips-title">{t.skipsByReason}</h2>
            <ChartCanvas config={skipConfig} label={t.chartSkips} testId="skips-chart" />
            {Object.keys(stats.skippedByReason).length === 0 ? (
              <p>{t.noSkips}</p>
            ) : (
              <ul>
                {Object.entries(stats.skippedByReason).map(([reason, n]) => (
                  <li key={reason}>
                    <code>{reason}</code>: {n}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </section>
  );
}
