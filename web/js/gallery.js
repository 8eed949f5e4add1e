// The gallery: the library's photos ranked by score (or date, or one dimension), filtered, in a grid that renders
// only the rows on screen (smooth at 100,000 items), a month timeline, a score breakdown on hover, a "why this
// score" panel, and a loupe (1:1) with a filmstrip that prefetches the next images.
import { api, qs } from './api.js';
import { h, decisionTap, mount, categoryLabel, thumbSrcset, communityVotes, itemImage, noPreview, toast, personKey, personName, trapTab,
  rawMeasure, shortcutsSheet, typingInFormControl, secondPress, addToToast } from './dom.js';
import { gridColumns, arrowTarget } from './grid_nav.js';
import { attachUndoPage, offerUndo } from './undo.js';

const RETRY_S = 5;  // seconds between attempts while the photos could not be loaded

const DIMENSIONS = ['sharpness', 'face_sharpness', 'exposure', 'noise', 'dynamic_range', 'contrast', 'colour',
  'composition', 'technical', 'resolution'];
const CATEGORIES = ['portrait', 'group_portrait', 'human_others', 'astro', 'long_exposure', 'night', 'monochrome',
  'macro', 'landscape', 'others'];
const TILE = 180;          // px: the tile's largest side (the thumbnail fits in it)
const MIN_TILE = 110;      // px: tiles shrink down to this to fit two or more in a row (phones)
const GAP = 8;
const OVERSCAN = 2;        // rows rendered above and below the visible ones
const PAGE = 500;          // items per request

const label = (name) => categoryLabel(name);
const score = (v) => (v === null || v === undefined ? '–' : Number(v).toFixed(1));

// A bar's fill; its width is set through the CSSOM (the Content-Security-Policy allows no style attributes).
function fill(value) {
  const el = h('span', { class: 'score-bar-fill' });
  el.style.width = `${Math.max(0, Math.min(10, value)) * 10}%`;
  return el;
}

// Horizontal bars, one per dimension, with its score (0..10) and its weight in the aggregate, under column heads that
// say which number is which; a long name wraps rather than being cut.
function breakdown(quality) {
  if (!quality || quality.aggregate === null) return h('p', { class: 'muted' }, 'Not scored.');
  return h('div', { class: 'score-bars', dataset: { testid: 'score-bars' } },
    h('div', { class: 'score-bar score-bar-head', 'aria-hidden': 'true' }, h('span', {}, ''), h('span', {}, ''),
      h('span', { class: 'score-bar-value' }, 'score'), h('span', { class: 'score-bar-weight' }, 'weight')),
    Object.entries(quality.dimensions).map(([name, d]) => h('div', { class: 'score-bar', dataset: { dimension: name } },
      h('span', { class: 'score-bar-name' }, label(name)),
      h('span', { class: 'score-bar-track' }, fill(d.score)),
      h('span', { class: 'score-bar-value', 'aria-label': `score ${score(d.score)} of 10` }, score(d.score)),
      h('span', { class: 'score-bar-weight', title: `${label(name)} counts for ${d.weight}% of the score`,
        'aria-label': `weight ${d.weight}%` }, `${d.weight}%`))));
}

// The "why this score" panel: the sentence, each dimension's raw value, score, weight and contribution, the
// penalties, and the bursts and duplicate groups the photo belongs to.
async function whyPanel(item) {
  const s = await api.get(`/api/items/${item.id}/score`);
  const q = s.quality;
  if (!q || q.aggregate === null) {
    return h('div', { class: 'why', dataset: { testid: 'why' } },
      h('p', { dataset: { testid: 'not-scored' } }, noPreview(item) ? 'Not scored: the file cannot be read.' : 'Not scored.'),
      communityVotes(s.votes));
  }
  // Each raw measure with its unit, and what it measures in its tooltip: a bare 59 or 0.31 says nothing.
  const rows = Object.entries(q.dimensions).map(([name, d]) => {
    const raw = rawMeasure(name, d.raw);
    return h('tr', { dataset: { dimension: name } },
      h('td', {}, label(name)), h('td', { class: 'num raw', title: `${label(name)}: ${raw.words}` }, raw.text),
      h('td', { class: 'num' }, score(d.score)),
      h('td', { class: 'num' }, `${d.weight}%`), h('td', { class: 'num' }, Number(d.contribution).toFixed(2)));
  });
  return h('div', { class: 'why', dataset: { testid: 'why' } },
    h('h2', {}, `${score(q.aggregate)} / 10 · ${label(q.category)}`),
    h('p', { dataset: { testid: 'why-sentence' } }, q.sentence),
    communityVotes(s.votes),
    h('table', { class: 'table' }, h('thead', {}, h('tr', {}, h('th', {}, 'Dimension'),
      h('th', { class: 'raw', title: 'The measure taken from the pixels, in its own unit (point at a value for what it ' +
        'measures); Score places it on 0-10 among the library\'s photos' }, 'Raw'),
      ['Score', 'Weight', 'Adds'].map((t) => h('th', {}, t)))), h('tbody', {}, rows)),
    // Said where the numbers are: a small photo's resolution can score 10 among a library of small photos while the
    // penalty below, which is absolute, says it cannot fill a screen.
    h('p', { class: 'muted small', dataset: { testid: 'why-relative' } }, `Scores are relative: 10 matches the best ` +
      `tenth of this library's photos scored as ${label(q.category)}. Penalties are not relative.`),
    q.penalties.length ? h('ul', { class: 'penalties' }, q.penalties.map((p) => h('li', {}, `−${Number(p.points).toFixed(2)} ${p.name}: ${p.text}`))) : null,
    s.groups.map((g) => h('p', { class: 'muted', dataset: { testid: `group-${g.kind}` } },
      `${g.kind === 'burst' ? 'Burst' : 'Duplicate group'} of ${g.size}: ${g.lead === item.id ? 'this photo leads' : `${memberName(g, g.lead)} leads`} — ${g.why.replace(/#(\d+)/g, (all, id) => memberName(g, Number(id)))}`)));
}

// A group's member by its file name ("#6" says nothing to whoever looks at the photos).
function memberName(group, id) {
  const member = group.members.find((m) => m.id === id);
  return member && member.path ? member.path.split('/').pop() : `#${id}`;
}

// The cameras and lenses in use (GET /api/gallery/facets), asked for once per visit of the page: the Camera and
// Lens fields suggest them (a part of a name, in any case, filters too).
function suggestions(facets) {
  const list = (id, values) => h('datalist', { id }, (values || []).map((v) => h('option', { value: v.value }, `${v.value} (${v.count})`)));
  return [list('gallery-cameras', facets && facets.cameras), list('gallery-lenses', facets && facets.lenses)];
}

// onChange(name, value): a control's new value (called again with the same value when nothing changed). A field's
// text counts when the browser says it changed, and also on Enter or leaving the field: text put back after the view
// was drawn anew (see renderGallery) is no edit to the browser, which then sends no "change" for it.
function controls(state, onChange, facets) {
  // A number field takes what the browser reads as a number ("1e1" is 10), shown and applied in plain digits; text as
  // typed.
  const take = (name, el) => {
    if (el.type === 'number' && Number.isFinite(el.valueAsNumber) && el.value !== String(el.valueAsNumber)) {
      el.value = String(el.valueAsNumber);
    }
    onChange(name, el.value);
  };
  const input = (name, attrs = {}) => h('input', { name, value: state[name] || '', ...attrs,
    onchange: (e) => take(name, e.target), onblur: (e) => take(name, e.target),
    onkeydown: (e) => { if (e.key === 'Enter') take(name, e.target); } });
  const check = (name, text) => h('label', { class: 'switch' }, h('input', { type: 'checkbox', name, checked: !!state[name],
    onchange: (e) => onChange(name, e.target.checked) }), text);
  const select = (name, options) => h('select', { name, onchange: (e) => onChange(name, e.target.value) },
    options.map(([value, text]) => h('option', { value, selected: state[name] === value }, text)));
  return h('form', { class: 'gallery-controls card', onsubmit: (e) => e.preventDefault() },
    h('label', {}, 'Sort', select('sort', [['aggregate', 'Score'], ['date', 'Date'], ...DIMENSIONS.map((d) => [d, label(d)])])),
    h('label', {}, 'Order', select('order', [['desc', 'High to low / newest'], ['asc', 'Low to high / oldest']])),
    h('label', {}, 'Category', select('category', [['', 'All'], ...CATEGORIES.map((c) => [c, label(c)])])),
    h('label', {}, 'Person', input('person', { placeholder: 'anyone' })),
    h('label', {}, 'Camera', input('camera', { placeholder: 'any', list: 'gallery-cameras' })),
    h('label', {}, 'Lens', input('lens', { placeholder: 'any', list: 'gallery-lenses' })),
    suggestions(facets),
    h('label', {}, 'From', input('from', { type: 'month' })),
    h('label', {}, 'To', input('to', { type: 'month' })),
    h('label', {}, 'Score ≥', input('min_score', { type: 'number', min: 0, max: 10, step: 0.5, class: 'short' })),
    h('label', {}, 'Score ≤', input('max_score', { type: 'number', min: 0, max: 10, step: 0.5, class: 'short' })),
    check('hide_closed_eyes', 'Hide closed eyes'),
    check('best_of_burst', 'Best of burst only'),
    check('hide_duplicates', 'Hide duplicates'));
}

// The controls fold away under "Sort and filter"; open at first on a wide screen, closed on a phone (where they would
// fill the screen), and kept as the user left them across reloads.
function collapsible(state, form) {
  if (state.filtersOpen === undefined) state.filtersOpen = window.matchMedia('(min-width: 701px)').matches;
  return h('details', { class: 'gallery-filters', open: state.filtersOpen,
    ontoggle: (e) => { state.filtersOpen = e.target.open; } },
  h('summary', {}, 'Sort and filter'), form);
}

// onRange(from, to, undated): the months chosen ('' for none), or the photos without a date taken (`undated`
// of them, counted apart: a month of arrival would mix downloads without EXIF among the photos taken then). A strip
// wider than the page scrolls sideways: its edges fade and ‹ › buttons step through it, each shown only while there
// are months beyond that edge.
function timeline(months, undated, state, onRange) {
  const strip = h('nav', { class: 'timeline', 'aria-label': 'Timeline by month', dataset: { testid: 'timeline' } },
    months.map((m) => h('button', { type: 'button', class: `link ${state.from === m.month && state.to === m.month ? 'active' : ''}`,
      onclick: () => { const same = state.from === m.month; onRange(same ? '' : m.month, same ? '' : m.month, false); } },
    `${m.month} (${m.count})`)),
    undated || state.undated ? h('button', { type: 'button', class: `link ${state.undated ? 'active' : ''}`,
      title: 'Photos whose files do not say when they were taken', dataset: { testid: 'timeline-undated' },
      onclick: () => onRange('', '', !state.undated) }, `No date (${undated})`) : null);
  const stepper = (dir, text, words) => h('button', { type: 'button', class: 'timeline-step', hidden: true, 'aria-label': words,
    dataset: { testid: `timeline-${dir < 0 ? 'back' : 'forward'}` },
    onclick: () => strip.scrollBy({ left: dir * Math.max(100, strip.clientWidth * 0.8), behavior: 'smooth' }) }, text);
  // Named by where they lead: the strip runs newest first, so going right is going back in time.
  const newestFirst = months.length > 1 && months[0].month > months[months.length - 1].month;
  const back = stepper(-1, '‹', newestFirst ? 'Newer months' : 'Earlier months');
  const forward = stepper(1, '›', newestFirst ? 'Older months' : 'Later months');
  const wrap = h('div', { class: 'timeline-wrap' }, back, strip, forward);
  const update = () => {
    const beyond = strip.scrollWidth - strip.clientWidth;
    // Within 2 px of an end is at it: a strip whose width is not a whole number of pixels stops short by a fraction.
    back.hidden = strip.scrollLeft <= 2;
    forward.hidden = strip.scrollLeft >= beyond - 2;
    wrap.classList.toggle('more-before', !back.hidden);
    wrap.classList.toggle('more-after', !forward.hidden);
  };
  strip.addEventListener('scroll', update, { passive: true });
  new ResizeObserver(update).observe(strip);
  return wrap;
}

// Items loaded so far, fetched page by page (cursor) as the grid scrolls towards them.
function makeSource(state) {
  const src = { items: [], total: 0, months: [], undated: 0, cursor: null, done: false, loading: null, sort: state.sort };
  // A person as typed ("Barack Obama") is looked up by the folder name the person has (barack_obama).
  const params = () => ({ sort: state.sort, order: state.order, category: state.category,
    person: state.person ? personKey(state.person) || state.person : '',
    camera: state.camera, lens: state.lens, from: state.from, to: state.to, min_score: state.min_score,
    max_score: state.max_score, hide_closed_eyes: state.hide_closed_eyes ? 'true' : '',
    best_of_burst: state.best_of_burst ? 'true' : '', hide_duplicates: state.hide_duplicates ? 'true' : '',
    undated: state.undated ? 'true' : '', limit: PAGE });
  src.more = () => {
    if (src.done) return Promise.resolve();
    if (!src.loading) {
      src.loading = api.get(`/api/gallery${qs({ ...params(), cursor: src.cursor })}`).then((page) => {
        if (src.cursor === null) { src.total = page.total; src.months = page.months; src.undated = page.undated || 0; }
        src.items.push(...page.items);
        src.cursor = page.next_cursor;
        src.done = page.next_cursor === null;
      }).finally(() => { src.loading = null; });
    }
    return src.loading;
  };
  return src;
}

// The number a tile shows: the measure the gallery is sorted by (a dimension's score), else the overall score.
function tileMeasure(item, sort) {
  const q = item.quality || {};
  if (!DIMENSIONS.includes(sort)) return { value: score(q.aggregate), words: `score ${score(q.aggregate)} of 10` };
  const d = q.dimensions && q.dimensions[sort];
  const v = d ? d.score : (item.sort_value >= 0 ? item.sort_value : null);
  return { value: score(v), words: v === null ? `${label(sort).toLowerCase()} not measured`
    : `${label(sort).toLowerCase()} ${score(v)} of 10` };
}

// What each mark on a tile means: its title on hover, the tile's name for a screen reader, and the legend.
const BADGE_WORDS = {
  lead: (n) => `best frame of a burst of ${n}`,
  burst: 'another frame of a burst (the ★ frame is its best)',
  dup: 'a copy of another photo, which leads their duplicate group (it scored as high or higher)',
  eyes: 'eyes closed',
};

function tile(item, index, open, sort) {
  const measure = tileMeasure(item, sort);
  const badges = [];
  const shown = [];
  const words = [];
  const mark = (text, meaning, kind = '', title = meaning) => {
    badges.push(h('span', { class: `badge ${kind}`, title }, text), ' ');
    shown.push(text);
    words.push(meaning);
  };
  mark(measure.value, measure.words, 'score', measure.words.charAt(0).toUpperCase() + measure.words.slice(1));
  if (item.burst) {
    if (item.burst.lead) mark(`★ ${item.burst.size}`, BADGE_WORDS.lead(item.burst.size));
    else mark('burst', BADGE_WORDS.burst);
  }
  if (item.duplicate && !item.duplicate.lead) mark('dup', BADGE_WORDS.dup);
  if (item.eyes_closed) mark('eyes', BADGE_WORDS.eyes, 'warn');
  const image = itemImage(item, 320, { srcset: thumbSrcset(item), sizes: `${TILE}px`, loading: 'lazy',
    decoding: 'async', width: TILE, height: TILE });
  // The tile's name holds what it shows, once and in the order shown (the placeholder's words for a file without a
  // preview, then the marks: "6.4 dup"), so that speech input can name the tile by what is on it; what the marks mean
  // is its description (a name that also said "score 6.4 of 10" named each mark twice).
  const onTile = [image.tagName === 'IMG' ? '' : image.textContent, shown.join(' ')].filter(Boolean).join(' ');
  const hover = h('div', { class: 'tile-hover' }, breakdown(item.quality));
  const meaning = h('span', { id: `tile-words-${item.id}`, hidden: true }, `${words.join(', ')}.`);
  return h('button', { type: 'button', class: 'gtile', dataset: { testid: 'tile', id: item.id, index },
    title: item.file_name, 'aria-label': `${item.file_name}, ${onTile}`, 'aria-describedby': meaning.id,
    onclick: () => open(index) },
  image, h('span', { class: 'tile-badges' }, badges), hover, meaning);
}

// The key to the tiles' marks, one line above the grid; the number is named after the sort.
function tileLegend(sort) {
  const mark = (text, kind = '') => h('span', { class: `badge ${kind}` }, text);
  const number = DIMENSIONS.includes(sort) ? `${label(sort).toLowerCase()} score of 10 (the sort)` : 'score of 10';
  return h('p', { class: 'tile-legend muted', dataset: { testid: 'tile-legend' } }, 'On the tiles: ',
    mark('6.5'), ` ${number} · `, mark('★ 3'), ` ${BADGE_WORDS.lead(3)} · `, mark('burst'), ' another frame of a burst · ',
    mark('dup'), ' a copy of the photo that leads its group · ', mark('eyes', 'warn'), ' eyes closed');
}

// The grid: a sizer as tall as all rows, and only the visible rows (plus OVERSCAN) in the DOM. `onScrolled(index)` is
// told the first photo of the top row shown after each layout.
function grid(src, open, signal, onScrolled = null) {
  const inner = h('div', { class: 'grid-rows' });
  const sizer = h('div', { class: 'grid-sizer' }, inner);
  const box = h('div', { class: 'grid-scroll', dataset: { testid: 'grid' }, tabindex: 0 }, sizer);
  let drawn = '';
  let rowH = TILE + GAP;
  const layout = () => {
    // As many full-size tiles as fit; a narrow screen (a phone) shrinks them to keep at least two in a row.
    const width = box.clientWidth - GAP;
    let perRow = Math.max(1, Math.floor(width / (TILE + GAP)));
    if (perRow < 2 && width >= 2 * (MIN_TILE + GAP)) perRow = 2;
    const side = Math.min(TILE, Math.floor(width / perRow) - GAP);
    rowH = side + GAP;
    const rows = Math.ceil(src.total / perRow);
    sizer.style.height = `${rows * rowH}px`;
    if (onScrolled) onScrolled(Math.floor(box.scrollTop / rowH) * perRow);
    const first = Math.max(0, Math.floor(box.scrollTop / rowH) - OVERSCAN);
    const last = Math.min(rows, Math.ceil((box.scrollTop + box.clientHeight) / rowH) + OVERSCAN);
    const need = Math.min(src.total, last * perRow);
    if (src.items.length < need && !src.done) src.more().then(() => { drawn = ''; layout(); });
    const key = `${first}:${last}:${perRow}:${side}:${src.items.length}`;
    if (key === drawn) return;
    drawn = key;
    inner.style.transform = `translateY(${first * rowH}px)`;
    const tiles = [];
    for (let i = first * perRow; i < Math.min(need, src.items.length); i++) tiles.push(tile(src.items[i], i, open, src.sort));
    inner.style.gridTemplateColumns = `repeat(${perRow}, ${side}px)`;
    // The row centred in the box: what a row of whole tiles leaves over is shared by both sides, not all on the right.
    inner.style.left = `${Math.max(0, Math.floor((box.clientWidth - perRow * (side + GAP) - GAP) / 2))}px`;
    inner.style.setProperty('--tile', `${side}px`);
    mount(inner, tiles);
  };
  let frame = 0;
  box.addEventListener('scroll', () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; layout(); }); },
    { signal, passive: true });
  window.addEventListener('resize', () => { drawn = ''; layout(); }, { signal });
  // The photo at `index` scrolled into view (its row drawn) and given the focus.
  const focusTile = (index) => {
    const perRow = gridColumns([...inner.children]);
    const top = Math.floor(index / perRow) * rowH;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + rowH + GAP > box.scrollTop + box.clientHeight) box.scrollTop = top + rowH + GAP - box.clientHeight;
    layout();
    const tile = inner.querySelector(`[data-index="${index}"]`);
    if (tile) tile.focus({ preventScroll: true });
  };
  // The arrows move the focus from tile to tile, as in the review grid; Enter or Space opens the photo.
  box.addEventListener('keydown', (e) => {
    const tile = e.target instanceof Element ? e.target.closest('[data-testid="tile"]') : null;
    if (!tile || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const next = arrowTarget(e.key, Number(tile.dataset.index), gridColumns([...inner.children]), src.items.length);
    if (next === undefined) return;
    e.preventDefault();
    focusTile(next);
  }, { signal });
  box.layout = layout;
  box.focusTile = focusTile;
  // Scrolls so that the row holding photo `index` is the top one; the pages up to it load as the layout asks for them.
  box.scrollToIndex = (index) => {
    layout();
    const perRow = Math.max(1, gridColumns([...inner.children]));
    box.scrollTop = Math.floor(index / perRow) * rowH;
    layout();
  };
  return box;
}

// When the photo was taken, as its camera's clock said it (stored as that wall-clock time in UTC); "no date" without one.
function takenWords(item) {
  if (item.taken_at_ms === null || item.taken_at_ms === undefined) return 'no date';
  // To the second: the frames of a burst are seconds apart, and culling tells them apart by it.
  return new Date(item.taken_at_ms).toLocaleString(undefined, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'medium' });
}

// What the photo view says about the photo: its name, when it was taken, the camera, the person, and where it lies
// (the path wraps; a long one is never cut).
function photoFacts(item) {
  const row = (term, value, testid) => [h('dt', {}, term), h('dd', { dataset: { testid } }, value)];
  return h('dl', { class: 'meta photo-facts', dataset: { testid: 'photo-facts' } },
    row('File', item.file_name, 'fact-file'),
    row('Taken', takenWords(item), 'fact-taken'),
    row('Camera', item.camera || 'unknown', 'fact-camera'),
    // A photo waiting in review carries the matcher's suggestion as its person, which may be far off: only a photo
    // in the library is filed under someone.
    row('Person', item.person && item.location === 'library' ? personName(item.person)
      : item.location === 'review' ? 'not filed under a person (it waits in review)' : 'not filed under a person',
    'fact-person'),
    row('Path', item.path, 'fact-path'));
}

// The loupe: the photo large (fit, or 1:1 from the original), what it is and the "why this score" panel, and a
// filmstrip of the next photos whose images are fetched ahead. A dialog: it takes the focus and keeps Tab inside.
// `discard(item)`, when given (a user who may decide), moves a library photo to the trash (Delete, key d): culling a
// shoot, the weaker frames and the copies not wanted; the next photo is shown.
function loupe(src, index, close, discard = null) {
  let at = index;
  let actual = false;
  const stage = h('div', { class: 'loupe-stage' });
  const side = h('aside', { class: 'loupe-side' });
  const strip = h('div', { class: 'filmstrip', dataset: { testid: 'filmstrip' } });
  const count = h('span', { class: 'loupe-count', dataset: { testid: 'loupe-count' } });
  const zoom = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'zoom' },
    onclick: () => { actual = !actual; show(); } }, '1:1');
  let deleting = false;
  const remove = async () => {
    const item = src.items[at];
    if (!discard || !item || deleting) return;
    // A photo waiting in review is decided on the Review page: the key says so, as the button's title does.
    if (item.location !== 'library') {
      toast(`${item.file_name} waits in review: decide it on the Review page, where Delete (d) moves it to the trash.`, 'info');
      return;
    }
    deleting = true;
    try {
      if (!(await discard(item))) return;
      src.items.splice(at, 1);
      src.total -= 1;
      el.dispatchEvent(new CustomEvent('culled'));   // the page behind counts one photo fewer
      if (!src.items.length) { close(); return; }
      at = Math.min(at, src.items.length - 1);
      show();
    } finally { deleting = false; }
  };
  const del = discard ? h('button', { type: 'button', class: 'danger', dataset: { testid: 'loupe-delete' },
    title: 'Move this photo to the trash (restored from the Trash page, or undone with Ctrl-Z)',
    onclick: decisionTap(remove) },
  'Delete', h('kbd', {}, 'd')) : null;
  const prefetched = new Set();
  const prefetch = (i) => {
    const item = src.items[i];
    if (!item || prefetched.has(item.id)) return;
    prefetched.add(item.id);
    if (!noPreview(item)) new Image().src = `${item.thumbnail_url}?size=1280`;
  };
  // The original at 1:1 opens on the photo's middle, not its top left corner (on a phone that is a wall or the sky),
  // and stays there while the panels around it settle (the score panel arrives later) until the user moves it.
  let centred = false;
  const centre = () => {
    stage.scrollLeft = (stage.scrollWidth - stage.clientWidth) / 2;
    stage.scrollTop = (stage.scrollHeight - stage.clientHeight) / 2;
  };
  // The stage resized (the panels around it settling), or the image laid out at its size after its load event (on a
  // busy machine): centred again until the user moves it.
  const recentre = new ResizeObserver(() => { if (centred) centre(); });
  recentre.observe(stage);
  let observed = null;   // the 1:1 image watched, one at a time
  for (const moved of ['pointerdown', 'wheel', 'touchstart', 'keydown']) {
    stage.addEventListener(moved, () => { centred = false; }, { passive: true });
  }
  const original = (item) => {
    const img = h('img', { class: 'actual', dataset: { testid: 'loupe-image' }, alt: item.file_name, src: item.original_url });
    img.addEventListener('load', () => { centred = true; centre(); }, { once: true });
    if (observed) recentre.unobserve(observed);
    recentre.observe(img);
    observed = img;
    return img;
  };
  let shownItem = null;  // the photo on screen, and since when (a key pressed twice quickly: see secondPress)
  let shownAt = 0;
  const show = async () => {
    const item = src.items[at];
    if (!item) return;
    if (item !== shownItem) {
      shownItem = item;
      shownAt = performance.now();
    }
    // A file that cannot be read has no picture at any size: 1:1 would show the browser's broken half of it.
    const unreadable = noPreview(item);
    if (unreadable) actual = false;
    zoom.disabled = unreadable;
    zoom.title = unreadable ? 'No 1:1 view: the file cannot be read' : '';
    // Only a library photo is culled here: one waiting in review is decided on the Review page.
    if (del) {
      del.disabled = item.location !== 'library';
      del.title = item.location === 'library' ? 'Move this photo to the trash (Ctrl-Z takes it back)'
        : 'This photo waits in review: decide it on the Review page';
    }
    zoom.textContent = actual ? 'Fit' : '1:1';
    centred = false;
    count.textContent = `${(at + 1).toLocaleString()} of ${src.total.toLocaleString()}`;
    mount(stage, actual ? original(item) : itemImage(item, 1280, { class: 'fit', dataset: { testid: 'loupe-image' } }));
    const stripHadFocus = strip.contains(document.activeElement);
    mount(strip, src.items.slice(Math.max(0, at - 3), at + 9).map((it) => h('button', {
      type: 'button', class: `strip-tile ${it.id === item.id ? 'current' : ''}`, 'aria-label': it.file_name,
      'aria-current': it.id === item.id ? 'true' : null,
      onclick: () => { at = src.items.indexOf(it); show(); } },
    itemImage(it, 160, { width: 80, height: 80 }))));
    if (stripHadFocus) strip.querySelector('.current')?.focus();
    for (let i = at + 1; i <= at + 3; i++) prefetch(i);
    if (at + 9 >= src.items.length && !src.done) src.more();
    // Why Delete is greyed for a photo waiting in review, said where everyone sees it (a title shows on hover only:
    // never on a phone, nor to the keyboard), with the way to the card it is decided on.
    const waits = item.location === 'review' && item.category
      ? h('p', { class: 'muted', id: 'loupe-in-review', dataset: { testid: 'loupe-in-review' } },
        'This photo waits in review, so it is not deleted here: ',
        h('a', { href: `#/review/${encodeURIComponent(item.category)}?item=${item.id}` }, 'decide it on the Review page'), '.')
      : null;
    if (del) {
      if (waits) del.setAttribute('aria-describedby', 'loupe-in-review');
      else del.removeAttribute('aria-describedby');
    }
    mount(side, photoFacts(item), waits, h('p', { class: 'muted' }, 'Loading…'));
    const why = await whyPanel(item).catch((e) => h('p', { class: 'form-error' }, e.message));
    if (src.items[at] === item) side.lastChild.replaceWith(why);
  };
  const step = (d) => { at = Math.min(Math.max(0, at + d), src.items.length - 1); show(); };
  const el = h('div', { class: 'loupe', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Photo', tabindex: '-1',
    dataset: { testid: 'loupe' } },
  h('div', { class: 'loupe-bar' },
    // On a phone the arrows alone, so that the bar holds Close on its one line.
    h('button', { type: 'button', class: 'secondary', 'aria-label': 'Previous photo', onclick: () => step(-1) },
      '‹', h('span', { class: 'bar-word' }, ' Previous')),
    h('button', { type: 'button', class: 'secondary', 'aria-label': 'Next photo', onclick: () => step(1) },
      h('span', { class: 'bar-word' }, 'Next '), '›'), zoom, del, count,
    h('button', { type: 'button', class: 'link', dataset: { testid: 'loupe-close' }, onclick: () => close() }, 'Close')),
  h('div', { class: 'loupe-main' }, stage, side), strip);
  el.keys = (e) => {
    // An open dialog (the shortcut sheet) takes the keys: d behind it deleted the photo under it.
    if (document.querySelector('dialog[open]')) return;
    // Esc steps back one level: from 1:1 to the fitted photo, then out of the viewer.
    if (e.key === 'Escape' && actual) { actual = false; show(); } else if (e.key === 'Escape') close();
    else if (e.key === 'ArrowRight') step(1);
    else if (e.key === 'ArrowLeft') step(-1);
    else if (e.key === 'z' && !zoom.disabled && !e.ctrlKey && !e.metaKey && !e.altKey) { actual = !actual; show(); }
    else if (e.key === '?') { e.preventDefault(); shortcutsSheet(LOUPE_SHORTCUTS(!!discard)); }
    else if ((e.key === 'd' || e.key === 'Delete') && !e.ctrlKey && !e.metaKey && !e.altKey && discard) {
      e.preventDefault();
      // Pressed twice quickly, the second would delete the photo that took the deleted one's place.
      const item = src.items[at];
      const dropped = item && item.location === 'library' ? secondPress(e.key, item.id, item.file_name, shownAt) : '';
      if (dropped) addToToast(dropped);
      else remove();
    } else trapTab(el, e);
  };
  el.at = () => at;
  show();
  return el;
}

// The keys of the gallery and of its photo view (? shows them).
const GRID_SHORTCUTS = [
  [['g'], 'Go to the photos (the first one shown, or the one last opened)'],
  [['←', '→', '↑', '↓'], 'Move from photo to photo'],
  [['Enter'], 'Open the photo (there: z for 1:1, d to delete a library photo, Esc to close; ? lists its keys)'],
  [['Ctrl', 'Z'], 'Undo the last deletion'],
  [['?'], 'This list'],
];
const LOUPE_SHORTCUTS = (canDelete) => [
  [['←', '→'], 'Previous and next photo'],
  [['z'], '1:1 (the original, pixel for pixel) and back to the fitted photo'],
  ...(canDelete ? [[['d'], 'Move a library photo to the trash (Ctrl-Z, or Undo in the message, takes it back)']] : []),
  [['Esc'], 'Back from 1:1, then close the photo'],
  [['?'], 'This list'],
];

// Why the grid is empty: with no filter set, the library has no photo yet (and how photos get in); a date range that
// ends before it starts, or a lowest score above the highest, matches nothing.
function nothingMatches(state) {
  const filtered = Object.entries(DEFAULTS).some(([key, value]) => key !== 'sort' && key !== 'order' && state[key] !== value);
  if (!filtered) {
    return ['The library is empty: no photos yet. Photos come in with ', h('code', {}, 'triage ingest <folder>'),
      ', by dropping files into the library\'s inbox/ folder while ', h('code', {}, 'triage watch'),
      ' runs, or with ', h('a', { href: '#/review' }, 'Add photos…'), ' on the Review page.'];
  }
  if (state.from && state.to && state.from > state.to) {
    return `No photos match: From (${state.from}) is after To (${state.to}); swap them to see that range.`;
  }
  if (isScore(state.min_score) && isScore(state.max_score) && Number(state.min_score) > Number(state.max_score)) {
    return `No photos match: Score ≥ ${state.min_score} is above Score ≤ ${state.max_score}, so no score is both; ` +
      'swap them to see that range.';
  }
  return 'No photos match these filters.';
}

// The server names a refused filter by its parameter ("query parameter max_score: must be a score from 0 to 10");
// the page names the field the user sees ("Score ≤: must be a score from 0 to 10").
const FIELD_WORDS = { min_score: 'Score ≥', max_score: 'Score ≤', from: 'From', to: 'To', camera: 'Camera', lens: 'Lens',
  person: 'Person', category: 'Category', sort: 'Sort', order: 'Order' };
const inFieldWords = (message) => message.replace(/query parameter (\w+)/g, (all, name) => FIELD_WORDS[name] || all);

// The view's sort and filters live in the address (#/gallery?sort=date&person=ada), so that a reload, the back button
// and a shared link show the same photos. Only what differs from the defaults is written.
const DEFAULTS = { sort: 'aggregate', order: 'desc', category: '', person: '', camera: '', lens: '', from: '', to: '',
  min_score: '', max_score: '', hide_closed_eyes: false, best_of_burst: false, hide_duplicates: false, undated: false };
// A value from the address only when the controls can show it (a hand-edited or old link could hold anything): the
// rest keep their defaults, so that every filter in force is one the page shows and can change, and the page says
// which it left out. A score out of range is shown and asked for, so that the server's refusal says what is wrong,
// as when it is typed. A score is a plain decimal ("5", "7.5"): "0x5" or " 5" would be read as 5 by a number parse
// while the number field shows nothing. A switch takes true/1/yes or false/0/no (the address then says true or
// nothing). A filter given twice is left out: the page cannot show two persons.
const isMonth = (v) => /^\d{4}-(0[1-9]|1[0-2])$/.test(v);
const isScore = (v) => /^-?(\d+(\.\d+)?|\.\d+)$/.test(v);
const SWITCH_VALUES = { true: true, 1: true, yes: true, false: false, 0: false, no: false };
const ADDRESS_CHECKS = {
  sort: (v) => v === 'aggregate' || v === 'date' || DIMENSIONS.includes(v),
  order: (v) => v === 'asc' || v === 'desc',
  category: (v) => CATEGORIES.includes(v),
  from: isMonth, to: isMonth, min_score: isScore, max_score: isScore,
};
// Returns [state, ignored, repeated]: the address's "key=value"s that were left out, as unreadable or as given more
// than once.
function stateFromAddress() {
  const query = new URLSearchParams(location.hash.split('?')[1] || '');
  const state = { ...DEFAULTS };
  const ignored = [];
  const repeated = [];
  for (const [key, value] of Object.entries(DEFAULTS)) {
    const texts = query.getAll(key);
    if (!texts.length) continue;
    if (texts.length > 1) { repeated.push(...texts.map((t) => `${key}=${t}`)); continue; }
    const [text] = texts;
    if (text === '') continue;   // an empty value is no filter, as the page shows it
    if (typeof value === 'boolean') {
      const on = SWITCH_VALUES[text.toLowerCase()];
      if (on === undefined) ignored.push(`${key}=${text}`); else state[key] = on;
    } else if (!ADDRESS_CHECKS[key] || ADDRESS_CHECKS[key](text)) state[key] = text;
    else ignored.push(`${key}=${text}`);
  }
  // A key no filter has (a typo, a parameter of another page) is said too, not dropped in silence.
  for (const [key, text] of query) if (!(key in DEFAULTS)) ignored.push(`${key}=${text}`);
  return [state, ignored, repeated];
}
function addressOf(state) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(DEFAULTS)) {
    if (state[key] !== value) query.set(key, typeof value === 'boolean' ? 'true' : state[key]);
  }
  const text = query.toString();
  return `#/gallery${text ? `?${text}` : ''}`;
}

// [start, end] of a text field's selection; null where the control has none (number and month fields, selects).
function caretOf(el) {
  try {
    return typeof el.selectionStart === 'number' && typeof el.setSelectionRange === 'function'
      ? [el.selectionStart, el.selectionEnd] : null;
  } catch (_) { return null; }
}

// Where the grid was scrolled to, per address, for this tab: a reload (or coming back from another page) shows the
// same photos at the top, not the first page again.
const PLACE_KEY = 'triage.gallery.at';
function placeFor(address) {
  try { return JSON.parse(sessionStorage.getItem(PLACE_KEY) || '{}')[address] || 0; } catch (_) { return 0; }
}
function keepPlace(address, index) {
  try {
    const places = JSON.parse(sessionStorage.getItem(PLACE_KEY) || '{}');
    if (places[address] === index) return;
    places[address] = index;
    sessionStorage.setItem(PLACE_KEY, JSON.stringify(places));
  } catch (_) { /* storage full or off: the place is a convenience */ }
}

export async function renderGallery(root, _rest, { session, signal }) {
  const [state, ignored, repeated] = stateFromAddress();
  const canDecide = !!(session && session.permissions && session.permissions.review);
  // The place to come back to, read once: a filter changed later starts at the top of its photos.
  let comeBackTo = placeFor(addressOf(state));
  // The open photo view is an entry of the browser's history (same address), so that Back closes it, as it does a
  // full-screen view on a phone. Closed otherwise (Close, Esc), that entry is left by going back over it.
  let overlay = null;
  let inHistory = false;
  let box = null;
  let lastOpened = -1;  // the photo the view last opened, where g goes back to (-1: none yet)
  let topIndex = 0;     // the first photo of the top row shown
  // While the photo view is open the page behind it takes no focus and no clicks (inert); closed, the focus goes back
  // to the tile of the photo last shown (`refocus`), not to the top of the page.
  const behind = () => [document.getElementById('topbar'), ...root.children].filter((el) => el && el !== overlay);
  const dropLoupe = (refocus = false) => {
    if (!overlay) return;
    const at = overlay.at();
    const culled = overlay.culled;
    overlay.remove();
    overlay = null;
    for (const el of behind()) el.inert = false;
    // Photos deleted in the view: the month counts and a burst's marks (its best frame, its size) are the server's to
    // tell again, so the grid is drawn anew where it was, the focus on the photo the view was on.
    if (refocus && culled) {
      comeBackTo = topIndex;
      reload().then(() => { if (box && box.isConnected && shown && shown.items.length) box.focusTile(Math.min(at, shown.items.length - 1)); })
        .catch((err) => { if (!signal.aborted) toast(err.message, 'error'); });
      return;
    }
    if (refocus && box && box.isConnected) box.focusTile(at);
  };
  // An undo made in the photo view reloads the photos and opens the view again on its photo, unless the reviewer
  // closed it meanwhile: Esc, Close or Back while the reload was on its way (counted here, or Esc while the view is
  // down for the reload) leaves it closed.
  let closedByHand = 0;
  let reopening = false;
  const closeLoupe = () => {
    if (!overlay) return;
    closedByHand++;
    dropLoupe(true);
    if (inHistory) { inHistory = false; history.back(); }
  };
  window.addEventListener('popstate', () => {
    if (overlay || reopening) closedByHand++;
    inHistory = false;
    dropLoupe(true);
  }, { signal });
  document.addEventListener('keydown', (e) => {
    if (overlay) { overlay.keys(e); return; }
    if (reopening && e.key === 'Escape') { closedByHand++; return; }
    if (document.querySelector('dialog[open]')) return;
    if (e.ctrlKey || e.metaKey || e.altKey || typingInFormControl(e)) return;
    if (e.key === '?') { e.preventDefault(); shortcutsSheet(GRID_SHORTCUTS); }
    // g: into the grid, on the photo at the top of the view (24 Tabs away through the filters otherwise).
    if (e.key === 'g' && box && box.isConnected && box.focusTile) {
      e.preventDefault();
      box.focusTile(lastOpened >= 0 ? lastOpened : topIndex);
    }
  }, { signal });
  // A newer reload wins: an answer that arrives after a later change was asked for is dropped.
  let generation = 0;
  let drawing = false;   // true while the view is replaced (see set)
  let facets = null;     // cameras and lenses to suggest, once they came
  let openPhoto = null;  // opens the photo view on the photo at an index of `shown`, the list drawn last
  let shown = null;
  const reload = async () => {
    const mine = ++generation;
    lastOpened = -1;   // other photos now: g starts at the top row
    // The photo view's history entry, if open, becomes the new address's (replaced below): no going back here.
    inHistory = false;
    dropLoupe();
    // Replaced, not pushed: each filter change is not a page of its own in the history.
    if (!signal.aborted && location.hash !== addressOf(state)) history.replaceState(null, '', addressOf(state));
    const src = makeSource(state);
    // A filter the server refuses (a score above 10) is said where the photos would be, with the controls kept to fix it;
    // so is a request that failed (server busy or gone, network down), with a way to ask again.
    let refused = '';
    let failed = '';
    try { await src.more(); } catch (err) {
      if (err.status === 401) throw err;
      if (err.status === 400) refused = inFieldWords(err.message);
      else failed = err.message;
    }
    if (mine !== generation || signal.aborted) return;
    // A filter being typed into while this answer came keeps its text and focus in the controls drawn anew.
    // The field keeps the focus whether or not its text is a filter already (Enter in the person field leaves the
    // caret where it was, ready for the next edit), and so does the caret.
    const active = document.activeElement;
    const typing = active && root.contains(active) && active.name && active.type !== 'checkbox'
      ? { name: active.name, value: active.value, caret: caretOf(active) } : null;
    // A photo culled from the photo view: to the trash, with Undo in the toast and Ctrl-Z on this page. The grid
    // behind drops it (its tiles are drawn from `src`).
    const discard = canDecide ? async (item) => {
      try {
        const out = await api.post(`/api/items/${item.id}/trash`, { from: item.folder });
        offerUndo(`Moved ${item.file_name} to the trash.`, out.undo, 'gallery');
        return true;
      } catch (err) {
        if (err.status === 401) throw err;
        toast(err.message, 'error');
        return false;
      }
    } : null;
    shown = src;
    const open = (i) => {
      lastOpened = i;
      dropLoupe();
      overlay = loupe(src, i, closeLoupe, discard);
      overlay.addEventListener('culled', () => {
        overlay.culled = true;
        const total = root.querySelector('[data-testid="gallery-total"]');
        if (total) total.textContent = `${src.total.toLocaleString()} ${src.total === 1 ? 'photo' : 'photos'}`;
      });
      for (const el of behind()) el.inert = true;
      root.append(overlay);
      overlay.focus();
      if (!inHistory) { history.pushState({ loupe: true }, '', location.href); inHistory = true; }
    };
    openPhoto = open;
    const address = addressOf(state);
    box = grid(src, open, signal, (index) => { topIndex = index; keepPlace(address, index); });
    drawing = true;
    try {
      mount(root,
      h('div', { class: 'gallery-head' }, h('h1', {}, 'Gallery'),
        h('span', { class: 'muted', dataset: { testid: 'gallery-total' } }, failed ? 'not loaded' : refused ? 'no photos shown' : `${src.total.toLocaleString()} ${src.total === 1 ? 'photo' : 'photos'}`)),
      collapsible(state, controls(state, set, facets)),
      ignored.length || repeated.length ? h('p', { class: 'card muted', role: 'status', dataset: { testid: 'gallery-ignored' } },
        [ignored.length ? `Left out of the link, as no filter reads it: ${ignored.join(', ')}.` : '',
          repeated.length ? `Left out of the link, as each filter takes one value: ${repeated.join(', ')}.` : '']
          .filter(Boolean).join(' ')) : null,
      timeline(src.months, src.undated, state, (from, to, undated) => {
        if (!drawing) { Object.assign(state, { from, to, undated }); change(); }
      }),
      refused ? h('p', { class: 'card error', role: 'alert', dataset: { testid: 'gallery-refused' } },
        `No photos shown: ${refused}. Change ${refused.includes('; ') ? 'those filters' : 'that filter'} to see photos again.`)
        : failed ? h('div', { class: 'card error', role: 'alert', dataset: { testid: 'gallery-failed' } },
          h('p', {}, `The photos could not be loaded: ${failed}. Trying again every ${RETRY_S} seconds.`),
          h('button', { type: 'button', dataset: { testid: 'gallery-retry' }, onclick: change }, 'Try again'))
        : src.total ? [tileLegend(state.sort), box] : h('p', { class: 'card muted', dataset: { testid: 'gallery-empty' } }, nothingMatches(state)));
    } finally { drawing = false; }
    const again = typing && root.querySelector(`.gallery-controls [name="${typing.name}"]`);
    if (again) {
      if (again.value !== typing.value) again.value = typing.value;
      again.focus({ preventScroll: true });
      if (typing.caret) again.setSelectionRange(...typing.caret);
    }
    if (comeBackTo > 0 && box.isConnected && comeBackTo < src.total) box.scrollToIndex(comeBackTo);
    else box.layout();
    comeBackTo = 0;
    // A server stopped or restarting: asked again until it answers, so that the gallery comes back by itself.
    if (failed) {
      setTimeout(() => {
        if (!signal.aborted && root.querySelector('[data-testid="gallery-failed"]')) change();
      }, RETRY_S * 1000);
    }
  };
  const change = () => { reload().catch((err) => { if (!signal.aborted) toast(err.message, 'error'); }); };
  // A control's value, as the user set it. Not while the view is drawn anew: the browser sends "change" for a
  // focused field being replaced, with whatever it held (a name half typed), and that is no choice of the user's.
  // Nor a value that is already in force: no request for nothing.
  const set = (name, value) => {
    if (drawing || state[name] === value) return;
    state[name] = value;
    if ((name === 'from' || name === 'to') && value) state.undated = false;   // a date range holds dated photos only
    ignored.length = 0;   // the address is the page's own from now on
    repeated.length = 0;
    change();
  };
  // Suggestions are a help, not the page: without them the fields still filter.
  api.get('/api/gallery/facets').then((f) => {
    facets = f;
    if (signal.aborted) return;
    for (const list of suggestions(facets)) document.getElementById(list.id)?.replaceWith(list);
  }).catch(() => {});
  // Ctrl-Z (and the toast's Undo) takes a deletion back; the gallery is drawn anew with the photo in it. Undone from
  // the photo view, the view stays open, on the photo put back: it is where the deleted one was in the list.
  attachUndoPage('gallery', async () => {
    const at = overlay ? overlay.at() : -1;
    const closed = closedByHand;
    reopening = at >= 0;
    try { await reload(); } finally { reopening = false; }
    if (at < 0 || closedByHand !== closed || signal.aborted || !openPhoto || !shown) return;
    while (shown.items.length <= at && !shown.done) await shown.more();
    if (at < shown.items.length) openPhoto(at);
  }, signal);
  await reload();
  return () => dropLoupe();   // leaving the view: its history entry, if any, stays behind as an entry of the gallery
}
