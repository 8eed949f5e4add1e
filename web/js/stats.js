// The dashboard: auto-sort rate, the queue by category, photos by person, and the last 30 days as a chart.
import { api } from './api.js';
import { h, mount, categoryLabel } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

// Stacked bars per day: auto-sorted and sent to review.
function chart(days) {
  const w = 720; const hgt = 200; const pad = 28;
  const max = Math.max(1, ...days.map((d) => d.ingested));
  const bw = (w - pad) / days.length;
  const svg = s('svg', { viewBox: `0 0 ${w} ${hgt + 24}`, class: 'chart', role: 'img',
    'aria-label': 'Photos ingested per day over the last 30 days' });
  svg.append(s('text', { x: 0, y: 12, class: 'axis' }, String(max)), s('text', { x: 0, y: hgt, class: 'axis' }, '0'));
  days.forEach((d, i) => {
    const x = pad + i * bw;
    const scale = (n) => (n / max) * (hgt - 16);
    const auto = scale(d.auto_sorted); const review = scale(d.to_review);
    const title = s('title', {}, `${d.day}: ${d.ingested} ingested, ${d.auto_sorted} auto-sorted, ${d.to_review} to review`);
    const g = s('g', {}, title,
      s('rect', { x, y: hgt - auto, width: bw - 2, height: auto, class: 'bar-auto' }),
      s('rect', { x, y: hgt - auto - review, width: bw - 2, height: review, class: 'bar-review' }));
    svg.append(g);
    const last = i === days.length - 1;   // the last date ends at the chart's edge instead of running past it
    if ((i % 7 === 0 && days.length - 1 - i >= 4) || last) {
      svg.append(s('text', { x: last ? x + bw - 2 : x, y: hgt + 18, class: 'axis', 'text-anchor': last ? 'end' : 'start' },
        d.day.slice(5)));
    }
  });
  return svg;
}

function table(title, entries, label = (k) => k) {
  const rows = Object.entries(entries).sort((a, b) => b[1] - a[1]);
  return h('div', { class: 'card' }, h('h2', {}, title), rows.length
    ? h('table', { class: 'data' }, h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('td', { class: 'wrap' }, label(k)),
      h('td', { class: 'num' }, v)))))
    : h('p', { class: 'muted' }, 'Nothing yet.'));
}

export async function renderStats(root) {
  const [summary, today] = await Promise.all([api.get('/api/stats/summary?days=30'), api.get('/api/stats/today')]);
  const t = summary.totals;
  const figure = (label, value, testid) => h('div', { class: 'figure card', dataset: { testid } },
    h('span', { class: 'value' }, value), h('span', { class: 'label' }, label));
  mount(root, h('section', {},
    h('h1', {}, 'Statistics'),
    h('div', { class: 'figures' },
      figure('auto-sort rate', `${Math.round(100 * t.auto_sort_rate)}%`, 'auto-sort-rate'),
      figure('photos', t.total), figure('waiting for review', t.in_review), figure('in the library', t.in_library),
      figure('ingested today', today.total)),
    h('div', { class: 'card' }, h('h2', {}, 'Last 30 days'), chart(summary.days),
      h('p', { class: 'legend' }, h('span', { class: 'key auto' }), 'auto-sorted ', h('span', { class: 'key sent' }),
        'sent to review')),
    h('div', { class: 'two-col' }, table('Review queue by category', t.by_category, categoryLabel),
      table('Library by person', t.by_person, (k) => k || 'kept without a person'))));
}
