// Proposals: the queue (sortable, filtered), a side-by-side comparison of the current and the proposed image with the
// better value marked, the quality checklist, approve & apply / deny / close without applying with a note, and batch
// decisions.
import { api, qs } from './api.js';
import { h, remount, toast, itemImage, formatTime, formatBytes, once, plural, personName, RAW_MEASURES } from './dom.js';
import { attachUndoPage, offerUndo } from './undo.js';
import { sharpnessScore } from './compare.js';

// The API's codes (kept as the filters' and rows' data) and the words shown for them.
const REASON_WORDS = { higher_resolution: 'Higher resolution', better_quality: 'Better quality',
  correct_subject: 'Right person', user_flags: 'Flagged by visitors', manual: 'Proposed by hand' };
const STATUS_WORDS = { pending: 'Waiting', approved: 'Approved', denied: 'Denied',
  archived: 'Closed without applying', stale: 'Out of date', reverted: 'Reverted' };
const REASONS = Object.keys(REASON_WORDS);
const STATUSES = Object.keys(STATUS_WORDS);
const reasonWords = (code) => REASON_WORDS[code] || label(code);
const statusWords = (code) => STATUS_WORDS[code] || label(code);
// What each decision is called, on a proposal and in a batch: "archive" only shelves the proposal (nothing is applied
// and no image moves), so it is not called Archive beside an image that approving would move to the archive.
const DECISION_WORDS = { approve: 'Approve & apply', deny: 'Deny', archive: 'Close without applying', revert: 'Revert' };
const CHECKLIST = ['Resolution adequate (at least the minimum width and height the library asks of new photos)', 'Subject matches the slot (the right person)',
  'Good lighting and focus', 'Person clearly identifiable', 'Source and attribution known', 'Better than the current image'];

const label = (code) => code.replace(/_/g, ' ');
// The quality aggregate as the gallery and the review card show it, 0-10 with one decimal (the API's figures are on
// 0-100).
const score = (f) => (f && f.score !== null && f.score !== undefined ? Math.round(f.score) / 10 : null);
const scoreText = (v) => v.toFixed(1);

// One row of the comparison: both values, the better one marked (higher is better unless `lowerIsBetter`; neither
// when not `ranked`).
function compareRow(name, current, proposed, show = (v) => v, lowerIsBetter = false, title = null, ranked = true) {
  const known = (v) => v !== null && v !== undefined;
  let better = '';
  if (ranked && known(current) && known(proposed) && current !== proposed) {
    better = (proposed > current) !== lowerIsBetter ? 'proposed' : 'current';
  }
  const cell = (side, v) => h('td', { class: better === side ? 'better' : '', dataset: { testid: `${side}-${name}` } },
    known(v) ? show(v) : '–', better === side ? h('span', { class: 'better-mark', 'aria-label': 'better' }, ' ▲') : null);
  return h('tr', {}, h('th', { scope: 'row', title }, ROW_WORDS[name] || name), cell('current', current),
    cell('proposed', proposed));
}

// The raw sharpness has no fixed scale, so the sharper side also says by how much ("118, 2.0× as sharp").
function sharpnessText(current, proposed) {
  return (v) => {
    const other = v === proposed ? current : proposed;
    const times = other > 0 && v > other ? `, ${(v / other).toFixed(1)}× as sharp` : '';
    // Small values keep a decimal or two: "2 | 2, 1.2× as sharp" showed two equal numbers, one said sharper.
    const digits = Math.abs(v) >= 10 ? 0 : Math.abs(v) >= 1 ? 1 : 2;
    return `${v.toFixed(digits)}${times}`;
  };
}

// Sharpness as the rest of the UI shows it (review, gallery, the duplicates' table): the 0-10 score among the
// library's photos, when every side shown has one; else the raw measure, which says how many times sharper.
function sharpnessRow(p, c, n) {
  const [cs, ns] = [sharpnessScore(p.current_item), sharpnessScore(p.proposed_item)];
  const scored = (cs !== null || !p.current_item) && (ns !== null || !p.proposed_item) && (cs !== null || ns !== null);
  if (scored) {
    return compareRow('sharpness', cs, ns, (v) => `${v.toFixed(1)} of 10`, false,
      `The ${RAW_MEASURES.sharpness[2]}, scored 0-10 among the library's photos`);
  }
  return compareRow('sharpness', c.sharpness || null, n.sharpness || null, sharpnessText(c.sharpness, n.sharpness), false,
    `The ${RAW_MEASURES.sharpness[2]}`);
}

const ROW_WORDS = { resolution: 'Resolution', quality: 'Quality (0–10)', sharpness: 'Sharpness', size: 'File size',
  community: 'Visitors’ votes', flags: 'Flags' };

function comparison(p) {
  const c = p.current || {}, n = p.proposed || {};
  const cv = (p.current_item && p.current_item.votes) || {}, nv = (p.proposed_item && p.proposed_item.votes) || {};
  const px = (f) => (f.width ? f.width * f.height : null);
  return h('table', { class: 'compare-table' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'Current'), h('th', {}, 'Proposed'))),
    h('tbody', {},
      compareRow('resolution', px(c), px(n), (v) => (v === px(c) ? `${c.width}×${c.height}` : `${n.width}×${n.height}`)),
      compareRow('quality', score(c), score(n), scoreText),
      sharpnessRow(p, c, n),
      // Two pictures (or two formats of one): the larger file is not the better one.
      compareRow('size', c.size_bytes || null, n.size_bytes || null, formatBytes, false,
        'File size: shown, not ranked (the sizes of two pictures or formats say nothing of which is better)', false),
      compareRow('community', cv.score ?? null, nv.score ?? null, (v) => v.toFixed(1)),
      compareRow('flags', cv.flags ?? null, nv.flags ?? null, (v) => String(v), true),
      h('tr', {}, h('th', { scope: 'row' }, 'Source'),
        h('td', {}, (p.current_item && p.current_item.source) || '–'), h('td', {}, (p.proposed_item && p.proposed_item.source) || '–')),
      h('tr', {}, h('th', { scope: 'row' }, 'Added'),
        h('td', {}, p.current_item ? formatTime(p.current_item.created_at) : '–'),
        h('td', {}, p.proposed_item ? formatTime(p.proposed_item.created_at) : '–'))));
}

// One side of the comparison. A cover proposal (slot "cover:<person>") may have no current cover yet; once decided,
// the empty side says what the decision did, not what approving would do. A small photo is shown at most twice its own
// size, as on the review card, not blown up to the column's width.
function side(title, item, cover, status = 'pending') {
  const decided = status !== 'pending';
  const none = cover
    ? (decided ? ['No cover before', status === 'approved' ? 'the proposed photo became the first cover'
      : 'the person still has no cover'] : ['No cover yet', 'approving makes the proposed photo the first cover'])
    : (decided ? ['No replacement', status === 'approved' ? 'the current image went to the archive'
      : 'the current image stayed'] : ['No replacement', 'approving takes the current image out of the library, into its archive']);
  const image = item ? itemImage(item, 640) : null;
  if (image && image.tagName === 'IMG' && item.width) image.style.maxWidth = `min(100%, ${2 * item.width}px)`;
  return h('figure', { class: 'compare-side' }, h('figcaption', {}, cover ? `${title} cover` : title),
    image || h('div', { class: 'img-placeholder' }, h('span', { class: 'ph-title' }, none[0]),
      h('span', { class: 'ph-reason' }, none[1])));
}

export async function renderProposals(root, _params, { session, signal }) {
  const canDecide = !!session.permissions.decide_proposals;
  const state = { status: 'pending', reason: '', sort: 'date', selected: null, picked: new Set() };
  // The filters are kept in the address (#/proposals?status=approved): a reload or Back shows the same list. A value
  // the page does not know is said and left out.
  const FILTERS = { status: ['', ...STATUSES], reason: ['', ...REASONS], sort: ['date', 'score', 'person'] };
  const DEFAULTS = { status: 'pending', reason: '', sort: 'date' };
  const linked = new URLSearchParams(location.hash.split('?')[1] || '');
  const unknown = [];
  for (const key of Object.keys(FILTERS)) {
    if (!linked.has(key)) continue;
    const value = linked.get(key);
    if (FILTERS[key].includes(value)) state[key] = value; else unknown.push(`${key} "${value}"`);
  }
  if (unknown.length) toast(`Left out of the link: ${unknown.join(', ')} (not a filter of this page).`, 'error');
  function rememberFilters() {
    const q = new URLSearchParams();
    for (const key of Object.keys(FILTERS)) if (state[key] !== DEFAULTS[key]) q.set(key, state[key]);
    const address = `#/proposals${q.toString() ? `?${q}` : ''}`;
    if (location.hash !== address) history.replaceState(history.state, '', address);
  }

  // What a decision did, in a toast whose Undo (and Ctrl-Z on this page, newest first) takes it back.
  const said = (message, token, kind = 'info') => offerUndo(message, token, 'proposals', kind);
  attachUndoPage('proposals', () => draw(), signal);

  // One decision at a time: the detail's buttons wait while one is on its way (a double click decides once).
  let deciding = false;
  async function decide(p, verb, notes, buttons) {
    if (deciding) return;
    deciding = true;
    for (const b of buttons) b.disabled = true;
    try {
      const out = await api.post(`/api/proposals/${p.id}/${verb}`, { notes });
      // A decision is taken back by the toast's Undo or Ctrl-Z on this page: the proposal pending again and both
      // images where they were (Revert, on an approved proposal, leaves the proposed image in the archive instead).
      said(`Proposal ${p.id} ${statusWords(out.status).toLowerCase()}.`, out.undo);
    } catch (err) { toast(err.message, 'error'); } finally {
      deciding = false;
      for (const b of buttons) b.disabled = false;
    }
    await draw();
  }

  async function batch(action) {
    const ids = [...state.picked];
    if (!ids.length) { toast('Tick the proposals to decide first.', 'error'); return; }
    try {
      const out = await api.post('/api/proposals/batch', { action, ids });
      // A proposal out of date is among the failures: counted once, as out of date; the others say why.
      const stale = out.stale || 0;
      const refused = out.failed.length - stale;
      const why = out.failed.filter((f) => !/ is stale/.test(f.error || '')).slice(0, 3)
        .map((f) => ` #${f.id}: ${f.error}.`).join('');
      said(`${DECISION_WORDS[action]}: ${out.done} done${refused > 0 ? `, ${refused} failed` : ''}` +
        `${stale ? `, ${stale} out of date (decided or changed meanwhile)` : ''}.${why}`, out.undo,
      refused > 0 ? 'error' : 'info');
    } catch (err) { toast(err.message, 'error'); }
    state.picked.clear();
    await draw();
  }

  function detail(p) {
    const notes = h('input', { name: 'notes', placeholder: 'note (optional)', 'aria-label': 'Review note' });
    const button = (verb, text, cls = '') => h('button', { type: 'button', class: cls, dataset: { testid: `proposal-${verb}` },
      onclick: (e) => decide(p, verb, notes.value, e.currentTarget.parentElement.querySelectorAll('button')) }, text);
    const isCover = p.slot.startsWith('cover:');
    return h('section', { class: 'card proposal-detail', dataset: { testid: 'proposal-detail', proposalId: p.id } },
      h('h2', {}, `Proposal ${p.id}: ${reasonWords(p.reason)} · ${statusWords(p.status)}`),
      h('p', { class: 'muted' }, `${isCover ? `Cover of ${personName(p.slot.slice(6))}` : `Slot ${p.slot}`} · proposed by ${p.proposed_by} · ${formatTime(p.proposed_at)}`,
        p.reviewed_by ? ` · decided by ${p.reviewed_by}${p.rule ? ` (rule ${p.rule})` : ''}` : ''),
      // Why a proposal went out of date: what changed since it was made (the slot's image moved, the proposed one was
      // deleted, ...), as the server found it when the proposal was to be applied.
      p.status === 'stale' && p.review_notes ? h('p', { class: 'notice', dataset: { testid: 'stale-why' } },
        `Out of date: ${p.review_notes}. Nothing was applied.`) : null,
      h('div', { class: 'proposal-compare' }, side('Current', p.current_item, isCover, p.status),
        side('Proposed', p.proposed_item, isCover, p.status)),
      comparison(p),
      // A proposal without an image of its own only takes the current one out: the checklist of a better image and
      // the words of a replacement do not apply to it.
      p.proposed_item_id ? h('fieldset', { class: 'checklist' }, h('legend', {}, 'Quality checklist'),
        CHECKLIST.map((c) => h('label', {}, h('input', { type: 'checkbox' }), ` ${c}`))) : null,
      canDecide && p.status === 'pending' ? h('div', { class: 'actions' }, notes,
        button('archive', DECISION_WORDS.archive), button('deny', DECISION_WORDS.deny, 'danger'),
        button('approve', DECISION_WORDS.approve, 'primary'),
        h('p', { class: 'small muted decision-help' }, 'Close without applying: the proposal is put aside and nothing ' +
          `changes in the library. Deny: refused. Approve & apply: ${p.proposed_item_id
            ? 'the proposed image takes the current one’s place.'
            : 'the current image is taken out of the library, into the archive (Put it back returns it).'}`))
        : null,
      // Revert: the replaced image back in its place (the proposed one back where it waited), or, for a proposal that
      // only took its image out of the library, that image back from the archive.
      canDecide && p.status === 'approved' && (p.proposed_item_id || !isCover) ? h('div', { class: 'actions' }, notes,
        button('revert', p.proposed_item_id ? 'Revert' : 'Put it back')) : null);
  }

  // One proposal: a row of the queue's table, or on a phone a card of labelled values (each cell carries its label,
  // shown only there).
  function row(p) {
    const pick = h('input', { type: 'checkbox', 'aria-label': `Select proposal ${p.id}`, checked: state.picked.has(p.id),
      onchange: (e) => { if (e.target.checked) state.picked.add(p.id); else state.picked.delete(p.id); } });
    const cell = (name, ...value) => h('td', {}, h('span', { class: 'cell-label', 'aria-hidden': 'true' }, name), value);
    return h('tr', { dataset: { testid: 'proposal-row', proposalId: p.id }, class: state.selected === p.id ? 'active' : '' },
      h('td', { class: 'pick' }, canDecide && p.status === 'pending' ? pick : ''),
      cell('Proposal', h('button', { type: 'button', class: 'link', onclick: () => { state.selected = p.id; showing(p.id); } },
        `#${p.id}`)),
      cell('Reason', h('span', { dataset: { code: p.reason } }, reasonWords(p.reason))),
      cell('Status', h('span', { dataset: { code: p.status } }, statusWords(p.status))),
      cell('Person', personName((p.current_item && p.current_item.person)
        || (p.slot.startsWith('cover:') ? p.slot.slice(6) : '')) || '–'),
      cell('Score', score(p.proposed) === null ? '–' : scoreText(score(p.proposed))),
      cell('Proposed', formatTime(p.proposed_at)));
  }

  function select(name, values, key) {
    return h('label', {}, `${name} `, h('select', { name: key, onchange: (e) => {
      state[key] = e.target.value;
      rememberFilters();
      draw();
    } },
      values.map(([v, text]) => h('option', { value: v, selected: state[key] === v }, text))));
  }

  // Runs the workflows now (they also run on the server's schedule) and says what they found.
  async function runWorkflows() {
    try {
      const r = await api.post('/api/proposals/run');
      const found = r.from_near_duplicates + r.from_flags + r.from_covers;
      toast(found ? `Found ${plural(found, 'new proposal')}.` : 'The workflows ran and found nothing new to propose.',
        'info', null, { stay: true });
    } catch (err) { toast(err.message, 'error'); }
    await draw();
  }

  // With nothing listed: what would come here, and (for who may decide) a way to look now.
  function emptyState() {
    const filtered = state.reason || state.status !== 'pending';
    return h('div', { class: 'card empty', dataset: { testid: 'proposals-empty' } },
      h('h2', {}, filtered ? 'No proposals match these filters' : 'No proposals waiting for a decision'),
      h('p', { class: 'muted' }, 'A proposal offers a better image for a place in the library: a sharper or larger ' +
        'copy of a curated photo, a replacement for a flagged one, or a new cover. The curated image never changes ' +
        'until someone approves the proposal side by side.'),
      canDecide ? h('div', { class: 'actions' }, h('button', { type: 'button', dataset: { testid: 'run-workflows' },
        onclick: (e) => once(e.currentTarget.parentElement, runWorkflows) }, 'Look for proposals now')) : null);
  }

  // Another proposal chosen: until its detail is drawn, the one on screen can decide nothing (a quick click on its
  // Approve approved the proposal left, not the one just chosen).
  function showing(id) {
    const old = root.querySelector('[data-testid="proposal-detail"]');
    if (old && Number(old.dataset.proposalId) !== id) {
      old.setAttribute('aria-busy', 'true');
      for (const b of old.querySelectorAll('button')) b.disabled = true;
    }
    return draw().then(() => {
      // Chosen from the list: on a phone the detail is drawn below the whole list, off the screen; it is brought
      // into view instead of a tap that seems to do nothing.
      const shown = root.querySelector('[data-testid="proposal-detail"]');
      if (!shown || Number(shown.dataset.proposalId) !== id) return;
      const rect = shown.getBoundingClientRect();
      if (rect.top > window.innerHeight - 80) shown.scrollIntoView({ block: 'start' });
    });
  }

  async function draw() {
    const out = await api.get('/api/proposals' + qs({ status: state.status, reason: state.reason, sort: state.sort }));
    if (signal.aborted) return;
    const list = out.proposals;
    // Only what is listed stays ticked: a batch never decides a proposal the filters hide.
    const listed = new Set(list.map((p) => p.id));
    for (const id of [...state.picked]) if (!listed.has(id)) state.picked.delete(id);
    const shown = list.find((p) => p.id === state.selected) || list[0];
    // The proposal in the detail is the one marked in the list, also before any was chosen.
    state.selected = shown ? shown.id : null;
    remount(root, h('section', {},
      h('div', { class: 'page-head' }, h('h1', {}, 'Proposals'),
        h('p', { class: 'muted', dataset: { testid: 'proposal-count' } }, plural(list.length, 'proposal'))),
      h('div', { class: 'filters' },
        select('Status', [['', 'All statuses'], ...STATUSES.map((s) => [s, statusWords(s)])], 'status'),
        select('Reason', [['', 'All reasons'], ...REASONS.map((r) => [r, reasonWords(r)])], 'reason'),
        select('Sort by', [['date', 'Date proposed'], ['score', 'Score'], ['person', 'Person']], 'sort'),
        // A double click sends one batch: the second would find the proposals decided and report them failed. With
        // nothing listed there is nothing to decide.
        // Only pending proposals can be decided: a list of decided ones offers no batch.
        canDecide && list.some((p) => p.status === 'pending') ? h('span', { class: 'actions' }, ['approve', 'deny', 'archive'].map((action) =>
          h('button', { type: 'button', dataset: { testid: `batch-${action}` },
            onclick: (e) => once(e.currentTarget.parentElement, () => batch(action)) },
          { approve: 'Approve & apply selected', deny: 'Deny selected',
            archive: 'Close selected without applying' }[action]))) : null),
      // On a phone each row is a card (style.css): nothing scrolls sideways.
      list.length ? h('div', { class: 'table-scroll' }, h('table', { class: 'proposal-queue' },
        h('thead', {}, h('tr', {}, ['', 'Proposal', 'Reason', 'Status', 'Person', 'Score (0–10)', 'Proposed']
          .map((t) => h('th', {}, t)))),
        h('tbody', {}, list.map(row)))) : emptyState(),
      shown ? detail(shown) : null));
  }
  await draw();
}
