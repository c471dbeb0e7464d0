import { html, raw, type SafeHtml } from '../../interaction/html.ts';

/**
 * Small bar charts drawn on the server as inline SVG: no script, no external image, nothing the strict CSP forbids
 * (colours come from the stylesheet by class, not from style attributes). Each chart is an image with a title and a
 * description that reads out every value (role="img", aria-labelledby and aria-describedby), and the caller prints the totals as text
 * beside it, so nobody needs to see the bars to get the numbers.
 */

export const CHART_STYLES = `
.lk-metrics { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); gap: 1rem; }
.lk-metric { border: 1px solid var(--lk-line); border-radius: var(--lk-radius); padding: 0.75rem 1rem; }
.lk-metric h3 { font-size: 1rem; margin: 0 0 0.25rem; }
.lk-figures { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; margin: 0 0 0.5rem; color: var(--lk-muted); }
.lk-figures strong { color: var(--lk-fg); font-size: 1.25rem; margin-right: 0.25rem; }
.lk-metric-alarm .lk-figures strong { color: var(--lk-danger); }
.lk-charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; align-items: end; }
.lk-chart { display: block; width: 100%; height: auto; overflow: visible; }
.lk-chart .lk-bar { fill: var(--lk-accent); }
.lk-chart .lk-bar-alarm { fill: var(--lk-danger); }
.lk-chart .lk-axis { stroke: var(--lk-line); stroke-width: 1; }
.lk-chart text { fill: var(--lk-muted); font-size: 8px; font-family: inherit; }
.lk-chart-caption { font-size: 0.8125rem; color: var(--lk-muted); margin: 0.25rem 0 0; }
`;

export interface BarChart {
  /** Unique on the page: the title's and description's ids derive from it. */
  id: string;
  title: string;
  /** One label per value, for the description. */
  labels: readonly string[];
  values: readonly number[];
  /** What to write under each bar (null: nothing). */
  ticks: readonly (string | null)[];
  /** Write each value above its bar (few bars only). */
  showValues?: boolean;
  alarm?: boolean;
}

/** Both charts of a metric get about the same width in the viewBox, so their text comes out the same size. */
const WIDTH = 144;
const HEIGHT = 40;
const TOP = 10;
const BOTTOM = 12;

export function barChart(o: BarChart): SafeHtml {
  const n = o.values.length;
  const slot = WIDTH / Math.max(1, n);
  const bar = slot * (n > 12 ? 0.75 : 0.6);
  const width = WIDTH;
  const max = Math.max(1, ...o.values);
  const desc = o.values.map((v, i) => `${o.labels[i] ?? i}: ${v}`).join(', ');
  const bars = o.values.map((v, i) => {
    const h = v === 0 ? 0 : Math.max(1, Math.round((v / max) * HEIGHT));
    const x = i * slot + (slot - bar) / 2;
    const y = TOP + HEIGHT - h;
    const cls = o.alarm && v > 0 ? 'lk-bar lk-bar-alarm' : 'lk-bar';
    return html`<rect class="${cls}" x="${x}" y="${y}" width="${bar}" height="${h}"></rect>${o.showValues ? html`<text x="${x + bar / 2}" y="${y - 2}" text-anchor="middle">${v}</text>` : ''}${o.ticks[i] ? html`<text x="${x + bar / 2}" y="${TOP + HEIGHT + 10}" text-anchor="middle">${o.ticks[i]}</text>` : ''}`;
  });
  return html`<svg class="lk-chart" role="img" aria-labelledby="${o.id}-title" aria-describedby="${o.id}-desc" viewBox="0 0 ${width} ${TOP + HEIGHT + BOTTOM}" width="${width * 2}" height="${(TOP + HEIGHT + BOTTOM) * 2}" xmlns="http://www.w3.org/2000/svg">
<title id="${o.id}-title">${o.title}</title>
<desc id="${o.id}-desc">${desc}</desc>
<line class="lk-axis" x1="0" y1="${TOP + HEIGHT + 0.5}" x2="${width}" y2="${TOP + HEIGHT + 0.5}"></line>
${raw(bars.map((b) => b.value).join(''))}
</svg>`;
}
