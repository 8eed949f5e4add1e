// The dashboard: auto-sort rate, the queue by category, photos by person, and the last 30 days as a chart.
import { api } from './api.js';
import { h, mount, categoryLabel, personName } from './dom.js';
import { onChanges } from './live.js';

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

// Stacked bars per day: auto-sorted and sent to review. The drawing is as many units wide as the chart is pixels
// wide (drawn again when that changes), so that its dates and counts are read at the page's text size on a phone and
// on a wide screen alike, not scaled down to a few pixels or up past the headings.
function chart(days) {
  const hgt = 200;
  const svg = s('svg', { class: 'chart', role: 'img', 'aria-label': 'Photos ingested per day over the last 30 days' });
  let drawnWidth = 0;
  const draw = (w) => {
    drawnWidth = w;
    svg.setAttribute('viewBox', `0 0 ${w} ${hgt + 24}`);
    svg.replaceChildren(...bars(days, w, hgt));
  };
  draw(720);
  new ResizeObserver((_, observer) => {
    if (!svg.isConnected) { observer.disconnect(); return; }
    const w = Math.round(svg.getBoundingClientRect().width);
    if (w > 0 && w !== drawnWidth) draw(w);
  }).observe(svg);
  return svg;
}

function bars(days, w, hgt) {
  const pad = 28;
  const max = Math.max(1, ...days.map((d) => d.ingested));
  const bw = (w - pad) / days.length;
  const out = [s('text', { x: 0, y: 12, class: 'axis' }, String(max)), s('text', { x: 0, y: hgt, class: 'axis' }, '0')];
  days.forEach((d, i) => {
    const x = pad + i * bw;
    const scale = (n) => (n / max) * (hgt - 16);
    const auto = scale(d.auto_sorted); const review = scale(d.to_review);
    const title = s('title', {}, `${d.day}: ${d.ingested} ingested, ${d.auto_sorted} auto-sorted, ${d.to_review} to review`);
    out.push(s('g', {}, title,
      s('rect', { x, y: hgt - auto, width: Math.max(1, bw - 2), height: auto, class: 'bar-auto' }),
      s('rect', { x, y: hgt - auto - review, width: Math.max(1, bw - 2), height: review, class: 'bar-review' })));
    const last = i === days.length - 1;   // the last date ends at the chart's edge instead of running past it
    if ((i % 7 === 0 && days.length - 1 - i >= 4) || last) {
      out.push(s('text', { x: last ? x + bw - 2 : x, y: hgt + 18, class: 'axis', 'text-anchor': last ? 'end' : 'start' },
        d.day.slice(5)));
    }
  });
  return out;
}

function table(title, entries, label = (k) => k) {
  const rows = Object.entries(entries).sort((a, b) => b[1] - a[1]);
  return h('div', { class: 'card' }, h('h2', {}, title), rows.length
    ? h('table', { class: 'data' }, h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('td', { class: 'wrap' }, label(k)),
      h('td', { class: 'num' }, v)))))
    : h('p', { class: 'muted' }, 'Nothing yet.'));
}

// Drawn again whenever the catalog changes (a decision in another tab, an ingest, a worker), so that the figures
// agree with the queue count in the navigation beside them.
// Only the newest drawing lands, and none once the page is left (an answer may come back after either).
export async function renderStats(root, _params, { signal } = {}) {
  let drawn = 0;
  const draw = async () => {
    const mine = ++drawn;
    const figures = await Promise.all([api.get('/api/stats/summary?days=30'), api.get('/api/stats/today')]);
    if (mine === drawn && !signal?.aborted) drawStats(root, ...figures);
  };
  await draw();
  if (signal) {
    onChanges((_out, changed) => {
      if (changed && !signal.aborted) draw().catch(() => {});   // the next change draws them again
    }, signal);
  }
}

function drawStats(root, summary, today) {
  const t = summary.totals;
  const figure = (label, value, testid) => h('div', { class: 'figure card', dataset: { testid } },
    h('span', { class: 'value' }, value), h('span', { class: 'label' }, label));
  mount(root, h('section', {},
    h('h1', {}, 'Statistics'),
    h('div', { class: 'figures' },
      figure('auto-sort rate', `${Math.round(100 * t.auto_sort_rate)}%`, 'auto-sort-rate'),
      figure('photos', t.total), figure('waiting for review', t.in_review, 'in-review'), figure('in the library', t.in_library),
      figure('ingested today', today.total)),
    h('div', { class: 'card' }, h('h2', {}, 'Last 30 days'), chart(summary.days),
      h('p', { class: 'legend' }, h('span', { class: 'key auto' }), 'auto-sorted ', h('span', { class: 'key sent' }),
        'sent to review')),
    h('div', { class: 'two-col' }, table('Review queue by category', t.by_category, categoryLabel),
      table('Library by person', t.without_person ? { ...t.by_person, '': t.without_person } : t.by_person,
        (k) => personName(k) || 'kept without a person'))));
}
