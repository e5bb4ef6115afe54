import { BarController, BarElement, CategoryScale, Chart, Legend, LineController, LineElement, LinearScale, PointElement, Tooltip, type ChartConfiguration } from 'chart.js';
import { useEffect, useRef } from 'react';

// Only what the results' charts use (bar and line charts on category / linear axes): the rest of
// Chart.js stays out of the bundle.
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

/** A Chart.js chart; the data tables next to it carry the same numbers for screen readers. */
export function ChartCanvas({ config, label, testId }: { config: ChartConfiguration; label: string; testId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, { ...config, options: { ...config.options, animation: false, responsive: true, maintainAspectRatio: false } });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
    // The chart is rebuilt when its kind changes; data updates below keep it in place.
  }, [config.type]);

  useEffect(() => {
    if (!chart.current) return;
    chart.current.data = config.data;
    chart.current.update();
  }, [config.data]);

  return (
    <div className="chart">
      <canvas ref={canvas} role="img" aria-label={label} data-testid={testId} />
    </div>
  );
}
