import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

/*
 * Monthly consumption as a bar chart, drawn by Chart.js on a canvas: no inline <style> or style
 * attributes in the markup (Chart.js sizes the canvas through the CSSOM, which `style-src 'self'`
 * allows), so it works under the site's strict CSP. Only the parts used are registered, to keep
 * the bundle small. The numbers are for drawing only; the table next to it shows exact decimals.
 */
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const NUMBER = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 3 });

export interface ChartSeries {
  labels: string[];
  values: number[];
}

export function ConsumptionChart({ title, unit, series }: { title: string; unit: string; series: ChartSeries }) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    if (!canvas.current) return;
    const reduceMotion = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: series.labels,
        datasets: [
          {
            label: `Расход, ${unit}`,
            data: series.values,
            backgroundColor: '#0b4f8c',
            hoverBackgroundColor: '#083b69',
            borderRadius: 3,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        locale: 'ru-RU',
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item) => `${NUMBER.format(Number(item.raw))} ${unit}` } },
        },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: unit } },
          x: { ticks: { maxRotation: 0, autoSkip: true } },
        },
      },
    });
    return () => chart.destroy();
  }, [series, unit]);

  const summary = series.labels
    .map((label, i) => `${label}: ${NUMBER.format(series.values[i] ?? 0)} ${unit}`)
    .join('; ');
  return (
    <figure class="reading-chart" data-testid="consumption-chart">
      <figcaption class="reading-chart__title">{title}</figcaption>
      <div class="reading-chart__canvas">
        <canvas ref={canvas} role="img" aria-label={`${title}: расход по месяцам. ${summary}`}>
          {summary}
        </canvas>
      </div>
    </figure>
  );
}
