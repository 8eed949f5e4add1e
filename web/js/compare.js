// Two copies of a photo compared: which is better on each attribute, both images zoomed and panned together (or laid
// over each other with a slider), which copy to keep and why, and the buttons of that decision (keep left, keep right,
// keep both, each with its key) for the review card's decision bar.
import { h, decisionTap, formatBytes, itemImage, thumbSrcset, dimensionWords, RAW_MEASURES } from './dom.js';

// How wide a pane shows its image (half the card, or the whole width on phones) times the zoom: the browser takes the
// thumbnail that is sharp at that width and the screen's density, a larger one as the view zooms in.
const paneSizes = (scale = 1) => `(max-width: 800px) calc((100vw - 24px) * ${scale}), calc(min(46vw, 580px) * ${scale})`;
const paneImage = (item) => itemImage(item, 1280, { draggable: false, srcset: thumbSrcset(item), sizes: paneSizes() });

const exifFields = (item) => [item.taken_at, item.camera].filter((v) => v && String(v).trim()).length;
// Which of the EXIF fields compared a copy carries, in words ("date taken, camera Pixel 7", "no EXIF").
function exifWords(item) {
  const has = (v) => v && String(v).trim();
  const fields = [has(item.taken_at) ? 'date taken' : null,
    has(item.camera) ? `camera ${String(item.camera).trim()}` : null].filter(Boolean);
  return fields.length ? fields.join(', ') : 'no EXIF';
}

// Where a copy came from: the address it was downloaded from, else the source it was taken in from (inbox, upload…).
const origin = (i) => (i.url ? h('span', { class: 'origin', title: i.url }, i.url) : i.source || '–');

// [label, value (text or element), score (higher is better; null when unknown or not a matter of better), what the
// label means when it needs saying, and what to say once for both copies when that says more than two cells] per
// attribute. The first rows say which file each side is, so that the reviewer knows what they keep or delete.
const ATTRIBUTES = [
  // A long name breaks after its underscores, hyphens and dots ("biden_" "blue_" "room.jpg"), not inside a word.
  ['File', (i) => h('span', {}, String(i.file_name || '').split(/(?<=[_.-])/).flatMap((part, n, all) => (n < all.length - 1
    ? [part, h('wbr')] : [part]))), () => null],
  ['Source', origin, () => null],
  // A narrow column breaks a folder after its slashes ("review/" then "near_duplicates"), not inside a word.
  ['Folder', (i) => (i.folder ? h('span', {}, i.folder.split('/').flatMap((part, n, all) => (n < all.length - 1
    ? [`${part}/`, h('wbr')] : [part]))) : '–'), () => null],
  ['Resolution', (i) => (i.width ? `${i.width} × ${i.height}` : '–'), (i) => (i.width ? i.width * i.height : null)],
  // On 0-10 among the library's photos, the raw measure (no scale of its own) in the cell's tooltip.
  ['Sharpness', (i) => {
    const words = i.quality && i.quality.sharpness > 0 ? dimensionWords(i.quality, 'sharpness', i.quality.sharpness) : null;
    return words ? h('span', { title: words.title }, words.text) : '–';
  }, sharpnessShown,
  `Sharpness, 0-10 among the library's photos, from the ${RAW_MEASURES.sharpness[2]}`],
  // Of two copies of one picture in one format, the larger file is the one compressed less; sizes within 5% of each
  // other (bytes after the image's end, metadata written again) are no sign of it and count as a tie. Of two formats,
  // neither wins (see SAME_FORMAT_ONLY).
  ['File size', (i) => formatBytes(i.size_bytes), (i) => i.size_bytes || null,
    'File size: the larger of two files in one format was compressed less; files in two formats are not compared'],
  // The earlier capture date is the original's; a copy without one lost it.
  ['Date taken', (i) => takenWords(i.taken_at), (i) => (i.taken_at ? -Date.parse(i.taken_at.replace(' ', 'T')) : null)],
  ['EXIF', exifWords, (i) => exifFields(i), 'EXIF fields compared: the date taken and the camera',
    (l, r) => (!exifFields(l) && !exifFields(r) ? 'no EXIF on either (no date taken, no camera)' : null)],
];

// A capture time as its date and its time, each kept on one line (a narrow column breaks between them, never inside
// a number).
function takenWords(takenAt) {
  if (!takenAt) return '–';
  const [date, time] = takenAt.split(/[T ]/);
  return [h('span', { class: 'nowrap' }, date), time ? [' ', h('span', { class: 'nowrap' }, time)] : null];
}

// A photo's sharpness score, 0-10 among the library's photos; null when it has none.
export function sharpnessScore(item) {
  const d = item && item.quality && item.quality.dimensions && item.quality.dimensions.sharpness;
  return d && d.score !== null && d.score !== undefined ? Number(d.score) : null;
}

// The sharpness a cell shows, as it shows it: the 0-10 score to one decimal (two copies that read "9.7 of 10" alike
// are a tie, whatever the raw measures behind them), else the raw measure.
function sharpnessShown(i) {
  const score = sharpnessScore(i);
  if (score !== null) return Math.round(score * 10) / 10;
  return i.quality && i.quality.sharpness > 0 ? i.quality.sharpness : null;
}

// Which side wins an attribute: 'left', 'right' or '' (a tie, or unknown on both sides).
const RELATIVE_TIE = { 'File size': 0.05 };
// Sharpness scores (0-10) this close say nothing of which copy is sharper: a re-encode or a resize moves the score by a
// few tenths.
const ABSOLUTE_TIE = { Sharpness: 0.3 };
// A file's format as its name says (jpg and jpeg alike). Sizes of two formats say nothing of which copy lost less:
// a PNG made from a JPEG is several times larger and not one bit better.
const formatOf = (i) => ((i.file_name || '').match(/\.([^.]+)$/) || ['', ''])[1].toLowerCase().replace('jpeg', 'jpg');
const SAME_FORMAT_ONLY = new Set(['File size']);
function better(score, left, right, label = '') {
  if (SAME_FORMAT_ONLY.has(label) && formatOf(left) !== formatOf(right)) return '';
  const a = score(left);
  const b = score(right);
  const known = (v) => v !== null && !Number.isNaN(v);
  if (known(a) !== known(b)) return known(a) ? 'left' : 'right';
  if (!known(a) || a === b) return '';
  if (Math.abs(a - b) <= (RELATIVE_TIE[label] || 0) * Math.max(Math.abs(a), Math.abs(b))) return '';
  // In tenths, as the cells show them: 6.5 against 6.2 is as far apart as 6.4 against 6.1.
  if (sharpnessScore(left) !== null && sharpnessScore(right) !== null &&
      Math.round(Math.abs(a - b) * 10) < Math.round((ABSOLUTE_TIE[label] || 0) * 10)) {
    return '';
  }
  return a > b ? 'left' : 'right';
}

// Which copy to keep: the one better on more of the attributes that have a better (a tie, byte-identical copies
// among them, keeps the existing one: nothing in the library moves). Returns {side: 'left'|'right', why}.
export function recommendedCopy(left, right) {
  const wins = { left: [], right: [] };
  for (const [label, , score] of ATTRIBUTES) {
    const winner = better(score, left, right, label);
    if (winner) wins[winner].push(label === 'EXIF' ? label : label.toLowerCase());
  }
  const side = wins.left.length > wins.right.length ? 'left' : 'right';
  const list = (names) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0]);
  const why = wins[side].length
    ? `better on ${list(wins[side])}`
    : right.location === 'library' ? 'neither copy is better, and the library stays as it is'
      : 'neither copy is better, and the existing one stays where it is';
  return { side, why };
}

function comparisonTable(left, right) {
  const cell = (text, wins) => h('td', { class: wins ? 'better' : '', dataset: { better: wins ? 'yes' : 'no' } },
    text, wins ? h('span', { class: 'better-mark' }, ' ✓ better') : null);
  return h('table', { class: 'data compare-table', dataset: { testid: 'compare-table' } },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Attribute'), h('th', { scope: 'col' }, 'Left (new)'),
      h('th', { scope: 'col' }, 'Right (existing)'))),
    h('tbody', {}, ATTRIBUTES.map(([label, text, score, title, both]) => {
      const winner = better(score, left, right, label);
      const head = h('th', { scope: 'row', title: title || null }, label);
      // What holds for both copies alike is said once across both columns.
      const same = both ? both(left, right) : null;
      if (same) return h('tr', { dataset: { attribute: label } }, head, h('td', { colspan: 2 }, same));
      return h('tr', { dataset: { attribute: label } }, head,
        cell(text(left), winner === 'left'), cell(text(right), winner === 'right'));
    })));
}

// Both panes share one view (zoom and offset): the wheel zooms, dragging pans, double-click resets.
function syncedPanes(left, right, caption) {
  const view = { scale: 1, x: 0, y: 0 };
  const images = [];
  const apply = () => images.forEach((img) => {
    img.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    if (img.tagName === 'IMG') img.sizes = paneSizes(view.scale);
  });
  const pane = (item, label, testid) => {
    const img = paneImage(item);
    images.push(img);
    const el = h('div', { class: 'pane', dataset: { testid }, role: 'group', 'aria-label': label }, img,
      h('span', { class: 'pane-label', title: label }, label));
    let drag = null;
    el.addEventListener('wheel', (e) => {
      e.preventDefault();
      view.scale = Math.min(8, Math.max(1, view.scale * (e.deltaY < 0 ? 1.2 : 1 / 1.2)));
      if (view.scale === 1) { view.x = 0; view.y = 0; }
      apply();
    }, { passive: false });
    el.addEventListener('pointerdown', (e) => { drag = { x: e.clientX - view.x, y: e.clientY - view.y }; });
    el.addEventListener('pointermove', (e) => {
      if (!drag || view.scale === 1) return;
      view.x = e.clientX - drag.x; view.y = e.clientY - drag.y; apply();
    });
    for (const end of ['pointerup', 'pointerleave']) el.addEventListener(end, () => { drag = null; });
    el.addEventListener('dblclick', () => { Object.assign(view, { scale: 1, x: 0, y: 0 }); apply(); });
    return el;
  };
  const panes = h('div', { class: 'compare-panes', dataset: { testid: 'compare-panes' } },
    pane(left, 'Left: the new copy', 'new-image'), pane(right, caption, 'existing-image'));
  const zoom = (factor) => { view.scale = Math.min(8, Math.max(1, view.scale * factor)); apply(); };
  return { panes, zoom, view };
}

// The two copies laid over each other; the slider shows the left one up to its position, where a line divides them,
// each side named in its corner.
function sliderOverlay(left, right) {
  const top = paneImage(left);
  top.classList.add('overlay-top');
  const range = h('input', { type: 'range', min: 0, max: 100, value: 50, 'aria-label': 'Left copy shown up to',
    dataset: { testid: 'compare-slider' } });
  const divider = h('div', { class: 'overlay-divider', 'aria-hidden': 'true', dataset: { testid: 'overlay-divider' } });
  const clip = () => {
    top.style.clipPath = `inset(0 ${100 - Number(range.value)}% 0 0)`;
    divider.style.left = `${range.value}%`;
  };
  range.addEventListener('input', clip);
  clip();
  return h('div', { class: 'compare-overlay', dataset: { testid: 'compare-overlay' } },
    h('div', { class: 'overlay-stack' }, paneImage(right), top, divider,
      h('span', { class: 'overlay-label left', dataset: { testid: 'overlay-left' } }, 'New copy'),
      h('span', { class: 'overlay-label right', dataset: { testid: 'overlay-right' } }, 'Existing')), range);
}

// The whole compare view; with `advice`, the copy to keep and why under the table.
export function compareView(left, right, caption, { advice = false, mayReplace = true } = {}) {
  const synced = syncedPanes(left, right, caption);
  const body = h('div', { class: 'compare-body' }, synced.panes);
  let overlay = null;
  // The zoom acts on the two panes side by side: in the slider it would do nothing, so it is not offered there.
  const zoomButtons = [
    h('button', { type: 'button', 'aria-label': 'Zoom in', onclick: () => synced.zoom(1.5) }, '+'),
    h('button', { type: 'button', 'aria-label': 'Zoom out', onclick: () => synced.zoom(1 / 1.5) }, '−')];
  const mode = (which) => {
    body.replaceChildren(which === 'slider' ? (overlay = overlay || sliderOverlay(left, right)) : synced.panes);
    for (const b of modeButtons) b.classList.toggle('active', b.dataset.mode === which);
    for (const b of zoomButtons) b.hidden = which === 'slider';
  };
  const modeButtons = [
    h('button', { type: 'button', class: 'active', dataset: { mode: 'panes' }, onclick: () => mode('panes') },
      'Side by side'),
    h('button', { type: 'button', dataset: { mode: 'slider', testid: 'compare-slider-mode' },
      onclick: () => mode('slider') }, 'Slider')];
  return h('div', { class: 'compare', dataset: { testid: 'side-by-side' } },
    h('div', { class: 'compare-tools' },
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Compare' }, modeButtons), ...zoomButtons),
    body,
    comparisonTable(left, right),
    advice ? keepAdvice(left, right, mayReplace) : null);
}

// Keeping the new copy in place of a photo of the library replaces that photo: a decision for those who decide
// proposals (the server refuses it to other roles).
export const REPLACE_REFUSED = 'Keeping the new copy would replace a photo of the library, which your role may not ' +
  'do: keep both, or keep the existing one (an admin may replace it).';

function keepAdvice(left, right, mayReplace) {
  const { side, why } = recommendedCopy(left, right);
  const text = side === 'left' && !mayReplace
    ? `The new copy (left) is the better one (${why}), but it would replace a photo of the library, which your role ` +
      'may not do: keep both, or ask an admin.'
    : `Recommended: keep ${side} (${side === 'left' ? 'the new copy' : 'the existing one'}): ${why}.`;
  return h('p', { class: 'muted keep-advice', dataset: { testid: 'keep-advice' } }, text);
}

// The keys of the three decisions on a duplicate's card: the decision each sends (POST /api/review/{id}/duplicate).
export const KEEP_KEYS = { l: 'new', r: 'existing', b: 'both' };

// The three decisions as buttons, each with its key, the recommended copy's the primary one. `onKeep(keep)` gets
// "new", "existing" or "both".
export function keepButtons(left, right, onKeep, { mayReplace = true } = {}) {
  const { side } = recommendedCopy(left, right);
  const button = (which, keep, text, key) => {
    const refused = keep === 'new' && !mayReplace;
    return h('button', { type: 'button', class: side === which && !refused ? 'primary' : '', disabled: refused,
      title: refused ? REPLACE_REFUSED : null,
      dataset: { testid: `keep-${which}`, recommended: side === which ? 'yes' : 'no' }, onclick: decisionTap(() => onKeep(keep)) },
    text, h('kbd', {}, key));
  };
  return [button('left', 'new', 'Keep left', 'l'), button('right', 'existing', 'Keep right', 'r'),
    h('button', { type: 'button', dataset: { testid: 'keep-both' }, onclick: decisionTap(() => onKeep('both')) }, 'Keep both',
      h('kbd', {}, 'b'))];
}
