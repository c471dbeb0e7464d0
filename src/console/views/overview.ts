import type { Overview, Series } from '../../admin/overview.ts';
import { html, type SafeHtml } from '../../interaction/html.ts';
import { barChart } from './charts.ts';
import { time } from './layout.ts';

/** The console's overview page: tokens issued by grant, and the sign-in and security events, 24 hours and 7 days. */

const hh = (t: number) => new Date(t * 1000).toISOString().slice(11, 16);
const weekday = (t: number) => new Date(t * 1000).toLocaleDateString('en-GB', { weekday: 'short', timeZone: 'UTC' });
const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);

function metric(s: Series, o: Overview, group: string): SafeHtml {
  const id = `${group}-${s.key.replace(/[^a-z0-9]/gi, '-')}`;
  return html`<article class="lk-metric${s.alarm && s.total7d > 0 ? ' lk-metric-alarm' : ''}" data-metric="${s.key}" aria-labelledby="${id}-heading">
<h3 id="${id}-heading">${s.label}</h3>
<p class="lk-figures"><span><strong data-total="24h">${s.total24h}</strong>last 24 hours</span><span><strong data-total="7d">${s.total7d}</strong>last 7 days</span></p>
<div class="lk-charts">
<div>${barChart({ id: `${id}-24h`, title: `${s.label}, each hour of the last 24 hours (UTC)`, labels: o.hourStarts.map(hh), values: s.hours, ticks: o.hourStarts.map((h, i) => (i % 6 === 0 ? hh(h) : null)), alarm: s.alarm })}<p class="lk-chart-caption">Last 24 hours, by hour (UTC)</p></div>
<div>${barChart({ id: `${id}-7d`, title: `${s.label}, each day of the last 7 days (UTC)`, labels: o.dayStarts.map((d) => `${weekday(d)} ${day(d)}`), values: s.days, ticks: o.dayStarts.map(weekday), showValues: true, alarm: s.alarm })}<p class="lk-chart-caption">Last 7 days, by day</p></div>
</div>
</article>`;
}

export function overviewPage(o: Overview): SafeHtml {
  const alarms = o.security.filter((s) => s.alarm && s.total24h > 0);
  return html`<div class="lk-page-head"><h1>Overview</h1><p class="lk-hint">As of ${time(o.generatedAt)}</p></div>
${alarms.length > 0
  ? html`<p class="lk-error-summary" role="status">In the last 24 hours: ${alarms.map((s, i) => html`${i > 0 ? ', ' : ''}${s.label.toLowerCase()} ${s.total24h}`)}. See the <a href="/console/audit">audit log</a>.</p>`
  : html`<p class="lk-notice" role="status">No lockouts, refresh token reuse or code replay in the last 24 hours.</p>`}
<section class="lk-panel" aria-labelledby="tokens-heading">
<h2 id="tokens-heading">Tokens issued, by grant</h2>
<div class="lk-metrics">${o.tokens.map((s) => metric(s, o, 'tokens'))}</div>
</section>
<section class="lk-panel" aria-labelledby="security-heading">
<h2 id="security-heading">Sign-ins and security events</h2>
<div class="lk-metrics">${o.security.map((s) => metric(s, o, 'security'))}</div>
<p class="lk-hint">From the <a href="/console/audit">audit log</a>. Token counts are kept per hour by each node and written every few seconds.</p>
</section>`;
}
