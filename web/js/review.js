// The review queue: category chips, one card at a time (with side-by-side for duplicates) or a grid for bulk work.
import { api, qs } from './api.js';
import { compareView, keepButtons, KEEP_KEYS, REPLACE_REFUSED } from './compare.js';
import { gridColumns, arrowTarget } from './grid_nav.js';
import { faceStage, facesPanel, matchWords } from './faces.js';
import { photoLens } from './lens.js';
import { followQueue, takeLivePage } from './review_live.js';
import { personPicker, rememberPerson } from './picker.js';
import { keyWaiter, keyName } from './review_keys.js';
import { attachUndoView, askUndo, rememberDecision, undoEpoch, undoOffer, MAX_UNDO } from './review_undo.js';
import { h, decisionTap, mount, formatBytes, formatTime, formatTaken, categoryLabel, toast, dismissToast, confirmDialog, itemImage,
  typingInFormControl, fieldOwnsUndo, shortcutsSheet, thumbSrcset, communityVotes, personKey, personKeyOf, personName, plural,
  dimensionWords, tileName, shortenedName, secondPress, addToToast } from './dom.js';

// A link to a photo no longer near its place is looked up in the queue this many photos at a time (the API's most),
// in at most this many requests (the first 3,000 photos).
const SCAN_PER_PAGE = 200;
const MAX_SCAN_PAGES = 15;

const CATEGORIES = ['duplicates', 'near_duplicates', 'unidentified', 'low_confidence', 'multiple_faces',
  'unwanted_person', 'low_quality', 'unreadable'];
const MAX_BULK = 1000;   // ids per bulk request (the server's limit)
// A duplicate is decided on its own card against the photo it duplicates (keep left, right or both): approving,
// naming or keeping it in bulk would file a second copy of the same picture, so the grid does not offer those for them.
const DUPLICATE_CATEGORIES = new Set(['duplicates', 'near_duplicates']);
const FILING_ACTIONS = new Set(['approve', 'name_face', 'keep']);
const DUPLICATES_NOTE = (selected, chip) => `${chip ? 'These are duplicates' : `${plural(selected, 'selected photo')} ` +
  `${selected === 1 ? 'is a duplicate' : 'are duplicates'}`}: approving or keeping ${chip || selected > 1 ? 'them' : 'it'} ` +
  'here could file a second copy of one picture. Decide them "One by one": keep one copy or both, or, where the ' +
  'original has left the library, file the copy as a photo of its own. Delete and Export work here.';
const GRID_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', ' ', 'n']);   // see onGridKey
const SHORTCUTS = [[['a'], 'Approve & sort as the chosen person'], [['k'], 'Keep without a person (photos/<year>/<month>)'],
  [['d'], 'Delete (to the trash)'],
  [['s'], 'Skip for later'],
  [['l'], 'Duplicate: keep the left (new) copy; the other goes to the trash'],
  [['r'], 'Duplicate: keep the right (existing) copy; the new one goes to the trash'],
  [['b'], 'Duplicate: keep both copies'], [['←', '→'], 'Previous / next photo'],
  [['1'], 'Take the suggested person (a likely match)'],
  [['z'], 'Loupe: the original pixels 1:1 under the pointer (a finger pans a 1:1 view)'], [['Esc'], 'Close the loupe'],
  [['1', '…', '9'], 'In the person picker: choose a suggestion'], [['↑', '↓'], 'In the person picker: move'],
  [['Enter'], 'In the person picker: approve (a face: name it)'], [['Esc'], 'Leave the person picker'],
  [['Ctrl', 'Z'], `Undo the last decision; again for the one before (up to ${MAX_UNDO})`], [['?'], 'This list'],
  [['←', '↑', '→', '↓'], 'Grid: move'], [['Space'], 'Grid: select or unselect'], [['Shift', '←'], 'Grid: select a range'],
  [['Ctrl', 'A'], 'Grid: select every photo of this category'],
  [['n'], 'Grid: name the face of each selected single-face photo as the chosen person']];
// The card's photo is shown this wide: beside the details on wide screens, the whole width on phones.
const CARD_IMAGE_SIZES = '(max-width: 800px) calc(100vw - 24px), min(58vw, 690px)';

// An unreadable file has no picture anybody has seen, so it is kept or deleted, never sorted under a person (the
// server refuses that too).
// A decision that failed names the photo and what was asked, then the reason (a bare "no answer from the server" does
// not say which photo it was about).
const unstop = (text) => String(text).replace(/\.$/, '');
function failedTo(action, name, person, keep) {
  if (action === 'duplicate') {
    return { new: `Could not keep ${name} over the other copy`, existing: `Could not keep the existing copy of ${name}`,
      both: `Could not keep both copies of ${name}` }[keep] || `Could not decide on ${name}`;
  }
  return { approve: `Could not sort ${name} as ${person}`, keep: `Could not keep ${name}`,
    reject: `Could not move ${name} to the trash`, skip: `Could not skip ${name}` }[action] || `Could not decide on ${name}`;
}

const filable = (item) => item.category !== 'unreadable';
const NOT_FILABLE = 'This file could not be read as an image, so it cannot be sorted under a person: keep it without a person, or delete it.';

// What an upload did, in the names the reviewer chose: the photos added and where, the files that are no readable image
// (added all the same: they wait in review/unreadable, to be looked at or deleted) and those not taken, and why. A
// long name is cut in the middle and long lists after three, so that the toast stays a few lines.
const unreadable = (r) => r.ok && r.decision && r.decision.category === 'unreadable';
const shortName = (name) => shortenedName(name, 30, 14);
const listed = (names) => (names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`);
function uploadReport(names, out) {
  const folders = new Map();
  const unread = [];
  const refused = [];
  out.items.forEach((r, i) => {
    const sent = names[i] || `file ${i + 1}`;
    // A name already taken in the folder, or one the library cannot keep as sent, is stored under another: said.
    const stored = r.ok ? r.path.slice(r.path.lastIndexOf('/') + 1) : '';
    const name = stored && stored !== sent ? `${shortName(sent)} (stored as ${shortName(stored)})` : shortName(sent);
    if (!r.ok) { refused.push(`${name}: ${String(r.error).replace(/\.$/, '')}`); return; }
    if (unreadable(r)) { unread.push({ name, why: r.decision.summary.replace(/\.$/, '') }); return; }
    const folder = r.path.slice(0, r.path.lastIndexOf('/')) || r.path;
    folders.set(folder, [...(folders.get(folder) || []), name]);
  });
  const photos = out.items.length - unread.length - refused.length;
  if (!photos && !unread.length) {
    return `Nothing was added: ${refused.slice(0, 2).join('; ')}${refused.length > 2 ? `; and ${refused.length - 2} more` : ''}.`;
  }
  const parts = [photos ? `${plural(photos, 'photo')} added (${[...folders].map(([f, list]) => `${f}: ${listed(list)}`).join('; ')}).`
    : 'No photo was added:'];
  if (unread.length === 1) {
    parts.push(`${unread[0].name} is not a readable image (${unread[0].why}): it waits in review/unreadable, to be ` +
      'looked at or deleted.');
  } else if (unread.length) {
    parts.push(`${unread.length} files are not readable images (${listed(unread.map((u) => u.name))}): they wait in ` +
      'review/unreadable, to be looked at or deleted.');
  }
  if (refused.length) {
    parts.push(`${plural(refused.length, 'file')} not added: ${refused.slice(0, 2).join('; ')}` +
      `${refused.length > 2 ? `; and ${refused.length - 2} more` : ''}.`);
  }
  return parts.join(' ');
}

// The view and order chosen stay for the tab's session: a category chip or another page and back keep "Select
// several" and "Newest first".
const remembered = (key, allowed) => {
  try { const v = sessionStorage.getItem(`triage.review.${key}`); return allowed.includes(v) ? v : allowed[0]; } catch (_) { return allowed[0]; }
};
const remember = (key, value) => { try { sessionStorage.setItem(`triage.review.${key}`, value); } catch (_) { /* private mode */ } };

export async function renderReview(root, params, { session, signal }) {
  const mode = remembered('mode', ['single', 'grid']);
  // A category that is none of the queue's (a mistyped link): said, and the whole queue shown at its own address.
  const unknownCategory = params[0] && !CATEGORIES.includes(params[0]) ? params[0] : '';
  if (unknownCategory) {
    history.replaceState(history.state, '', '#/review');
    toast(`There is no review category "${unknownCategory}": every photo waiting for review is shown.`, 'error');
  }
  const state = {
    category: CATEGORIES.includes(params[0]) ? params[0] : '',
    sort: remembered('sort', ['oldest', 'newest']), mode, page: 1, perPage: mode === 'grid' ? 60 : 50, index: 0,
    items: [], total: 0, counts: {}, totalPending: 0, persons: [], selected: new Set(), copiesSelected: new Set(),
  };
  const canReview = !!session.permissions.review;
  // Keeping a new copy in place of a photo of the library replaces it: for those who decide proposals.
  const mayReplace = (original) => original.location !== 'library' || !!session.permissions.decide_proposals;
  let busy = false;   // a decision is on its way: further keys and clicks wait for it (see hold)

  // Says what a decision did and offers to take it back: the toast's Undo and Ctrl-Z redeem the decision's undo token
  // (the server moves the files back through its journal and restores the queue, references and persons). `item` is
  // the photo decided (none for several), shown again when its decision is undone.
  const epoch = undoEpoch();
  function offerUndo(message, token, kind = 'info', item = null) {
    if (epoch !== undoEpoch()) return;   // answered after a logout: that user's page and offer are gone
    if (!token) { toast(message, kind); return; }
    const entry = rememberDecision(token, message, item ? item.id : 0);
    toast(message, kind, undoOffer(entry));
  }

  // A decision on its way holds the page: the card's buttons are disabled until the queue shows what the decision
  // did, so a click in that moment is visibly refused rather than silently lost; a key waits (review_keys.js).
  function hold(on) {
    busy = on;
    if (on) root.setAttribute('aria-busy', 'true'); else root.removeAttribute('aria-busy');
    const buttons = root.querySelectorAll(on ? ':is([data-testid="review-card"], .bulk-bar) button:not([disabled])'
      : 'button[data-held]');
    for (const b of buttons) { b.disabled = on; b.toggleAttribute('data-held', on); }
    if (!on) keyWait.settle();
  }
  // A card or grid drawn while a decision is still on its way (switching to the grid, a refresh) is held too: a click on
  // it would otherwise be silently dropped.
  function holdIfBusy() { if (busy) hold(true); }
  // Reloading or closing the tab while a decision is on its way would lose its undo (the answer carrying the token
  // never arrives, and the photo has moved on): the browser asks first.
  window.addEventListener('beforeunload', (e) => { if (busy) e.preventDefault(); }, { signal });

  // This page is the review view on screen: an undo asked for on any review view holds and refreshes this one, which
  // then shows the photo that came back (when it waits on the page shown).
  attachUndoView({ busy: () => busy, hold, after: async (entry) => {
    if (signal.aborted) return;
    await loadPersons();
    await load();
    const back = entry && entry.item ? state.items.findIndex((it) => it.id === entry.item) : -1;
    if (back >= 0) state.index = back;
    render();
  } }, signal);

  const queuePath = () => (state.category ? `/api/review/queue/${state.category}` : '/api/review/queue');
  function fetchPage() {
    return api.get(queuePath() + qs({ page: state.page, per_page: state.perPage, sort: state.sort }));
  }
  // The queue from its start, in the reviewer's order, SCAN_PER_PAGE photos per request (the API's most), up to
  // `maxPages` requests.
  async function* wholeQueue(maxPages = Infinity) {
    for (let page = 1; page <= maxPages && !signal.aborted; page++) {
      const out = await api.get(queuePath() + qs({ page, per_page: SCAN_PER_PAGE, sort: state.sort }));
      yield out.items;
      if (page >= out.pages) return;
    }
  }
  async function load() {
    const page = await fetchPage();
    if (page.items.length === 0 && state.page > 1) { state.page = Math.max(1, page.pages); return load(); }
    Object.assign(state, { items: page.items, total: page.total, counts: page.counts, totalPending: page.total_pending });
    window.dispatchEvent(new CustomEvent('triage:pending', { detail: page.total_pending }));
    state.index = Math.min(state.index, Math.max(0, state.items.length - 1));
  }
  // A person as written, for the folder the server filed a photo under: the name learnt from the persons list (also
  // when typed otherwise: "OBAMA" for obama), or, for a person the decision itself added (not listed yet), the name as
  // it was typed.
  const writtenName = (folder, typed) =>
    known(folder) || personName(folder) !== folder || !typed || personKey(typed) !== folder
      ? personName(folder) : typed.trim();
  const filedUnder = (folder, typed) => `${writtenName(folder, typed)} (faces/${folder}/)`;
  async function loadPersons() { state.persons = (await api.get('/api/persons')).persons; }
  const known = (name) => state.persons.some((p) => p.name === name);

  async function refresh() { await load(); render(); }

  // Where the reviewer is, in the address: "#/review/unidentified?item=17&at=3" (the card's photo and its place in the
  // queue), rewritten without a new history entry as each card shows. A reload comes back to the same photo while it
  // waits for review, else to the one that took its place: the next in the queue.
  const ownPath = (location.hash || '#/review').split('?')[0];
  function keepPlace(item, position) {
    if (signal.aborted || (location.hash || '#/review').split('?')[0] !== ownPath) return;
    const address = item ? `${ownPath}?${new URLSearchParams({ item: item.id, at: position })}` : ownPath;
    if (location.hash !== address) history.replaceState(history.state, '', address);
  }
  async function loadPlace(id, at) {
    // The page its place was on, then the one before (photos ahead of it decided meanwhile) and the one after.
    const guess = Math.max(1, Math.ceil(at / state.perPage));
    const tryPage = async (page) => {
      state.page = page;
      await load();
      const found = state.items.findIndex((it) => it.id === id);
      if (found >= 0) state.index = found;
      return found >= 0;
    };
    for (const page of [guess, guess - 1, guess + 1]) if (page >= 1 && await tryPage(page)) return;
    // Many may have been decided or added elsewhere meanwhile (a bulk delete in another tab): its place is looked up
    // in the queue from its start, SCAN_PER_PAGE at a time (up to MAX_SCAN_PAGES requests), then its page is shown.
    let before = 0;   // photos ahead of the request's
    for await (const items of wholeQueue(MAX_SCAN_PAGES)) {
      const found = items.findIndex((it) => it.id === id);
      if (found >= 0) {
        if (await tryPage(Math.floor((before + found) / state.perPage) + 1)) return;
        break;   // moved again between the two requests: said below, as for a photo no longer waiting
      }
      before += items.length;
    }
    state.page = guess;
    state.index = at - 1 - (guess - 1) * state.perPage;
    await load();   // past the end of a shorter queue: its last photo
    // Said, so that nobody decides the photo on screen believing it is the one the link named.
    if (state.items.length) {
      toast(`Item ${id} of the address no longer waits ${state.category ? `in ${categoryLabel(state.category).toLowerCase()}`
        : 'for review'} (decided meanwhile, or never here): this is the photo in its place.`);
    }
  }

  function chips() {
    const chip = (cat, label, n) => h('button', {
      type: 'button', class: `chip${state.category === cat ? ' active' : ''}`, dataset: { category: cat || 'all' },
      'aria-pressed': state.category === cat ? 'true' : 'false',
      onclick: () => { if (cat !== state.category) location.hash = cat ? `#/review/${cat}` : '#/review'; },
    }, label, h('span', { class: 'count', 'aria-label': `: ${n}` }, n));
    return h('div', { class: 'chips', role: 'toolbar', 'aria-label': 'Categories' },
      chip('', 'All', state.totalPending),
      CATEGORIES.filter((c) => state.counts[c] > 0 || state.category === c)
        .map((c) => chip(c, categoryLabel(c), state.counts[c] || 0)));
  }

  function toolbar() {
    const upload = h('input', { type: 'file', multiple: true, accept: 'image/*', hidden: true, onchange: async () => {
      const form = new FormData();
      const names = [...upload.files].map((f) => f.name);
      for (const f of upload.files) form.append('files', f, f.name);
      upload.value = '';   // the same file chosen again is a new upload
      try {
        const out = await api.upload('/api/ingest', form);
        // Red when a file was not added; amber when every file was, some of them not images (waiting in review as
        // unreadable, where they can be looked at and deleted).
        toast(uploadReport(names, out), out.failed ? 'error' : out.items.some(unreadable) ? 'warn' : 'info');
        await refresh();
      } catch (err) { toast(`Nothing was added: ${err.message}`, 'error'); }
    } });
    return h('div', { class: 'toolbar' },
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'View' },
        h('button', { type: 'button', class: state.mode === 'single' ? 'active' : '',
          'aria-pressed': state.mode === 'single' ? 'true' : 'false', onclick: () => setMode('single') }, 'One by one'),
        h('button', { type: 'button', class: state.mode === 'grid' ? 'active' : '', dataset: { testid: 'grid-mode' },
          'aria-pressed': state.mode === 'grid' ? 'true' : 'false', onclick: () => setMode('grid') }, 'Select several')),
      h('label', { class: 'inline' }, 'Order ', h('select', { onchange: (e) => { state.sort = e.target.value;
        remember('sort', state.sort); state.page = 1; state.index = 0; refresh(); } },
      h('option', { value: 'oldest', selected: state.sort === 'oldest' }, 'Oldest first'),
      h('option', { value: 'newest', selected: state.sort === 'newest' }, 'Newest first'))),
      canReview ? h('button', { type: 'button', onclick: () => upload.click() }, 'Add photos…') : null, upload,
      h('button', { type: 'button', class: 'link shortcuts-link', dataset: { testid: 'show-shortcuts' },
        onclick: () => shortcutsSheet(SHORTCUTS) }, 'Shortcuts', h('kbd', {}, '?')));
  }

  function setMode(mode) {
    state.mode = mode;
    remember('mode', mode);
    state.perPage = mode === 'grid' ? 60 : 50;
    state.page = 1; state.index = 0; state.selected.clear();
    refresh();
  }

  // Who the photo shows: nothing is chosen until the reviewer chooses (a match suggestion is a separate chip). The
  // searchable picker (picker.js) for enrolled persons, or a new name typed into the box beside it. Enter approves,
  // Esc leaves; letters only filter the list, they never switch the chosen name.
  function cardPicker(testid, { onEnter, onEscape } = {}) {
    const picker = personPicker(state.persons, { testid, onEnter, onEscape,
      onChoose: () => { input.value = ''; },
      keepClear: () => picker.el.closest('[data-testid="review-card"]')?.querySelector('[data-testid="actions"]') });
    const input = h('input', { placeholder: 'new person…', dataset: { testid: `${testid}-new` }, 'aria-label': 'New person' });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && onEnter) { e.preventDefault(); onEnter(); }
      if (e.key === 'Escape' && onEscape) { e.preventDefault(); onEscape(); }
    });
    const value = () => input.value.trim() || picker.value();
    const choose = (name) => {
      if (!known(name)) { input.value = name; return; }
      input.value = '';
      picker.choose(name);
    };
    // A role that may not add persons picks among the enrolled ones only (the server refuses a new name to it).
    if (!session.permissions.manage_persons) {
      return { el: h('span', { class: 'person-picker' }, picker.el), value: picker.value, choose: picker.choose,
        focus: picker.focus, typed: picker.typed };
    }
    return { el: h('span', { class: 'person-picker' }, picker.el, h('span', { class: 'muted' }, ' or '), input), value,
      choose, focus: picker.focus, typed: () => input.value.trim() || picker.typed(), newTyped: () => input.value.trim() };
  }

  // "no match · nearest biden at 0.70": what the matcher thinks, for the reviewer to take (click or key 1) or leave.
  function suggestionChip(suggestion, picker) {
    if (!suggestion || !suggestion.person) return null;
    const title = suggestion.within_match_distance ? 'A likely match; press 1 or click to choose it'
      : 'The closest enrolled person, but too far away to be a match; click to choose it anyway';
    return h('button', { type: 'button', class: `suggestion${suggestion.within_match_distance ? ' near' : ' far'}`,
      dataset: { testid: 'suggestion' }, title, onclick: () => picker.choose(suggestion.person) },
    matchWords(suggestion), suggestion.within_match_distance ? h('kbd', {}, '1') : null);
  }

  function meta(item) {
    const row = (k, v) => [h('dt', {}, k), h('dd', {}, v)];
    // On 0-10 among the library's photos; the raw measure, which has no scale of its own, in the tooltip.
    const sharpness = item.quality && item.quality.sharpness > 0
      ? dimensionWords(item.quality, 'sharpness', item.quality.sharpness) : null;
    return h('dl', { class: 'meta' },
      row('File', item.file_name), row('Size', formatBytes(item.size_bytes)),
      row('Resolution', item.width ? `${item.width} × ${item.height}` : '–'),
      row('Taken', formatTaken(item.taken_at)), row(item.url ? 'Downloaded' : 'Added', formatTime(item.created_at)),
      row('Source', item.url ? h('span', { title: item.url }, item.source) : item.source || '–'),
      sharpness ? [h('dt', {}, 'Sharpness'),
        h('dd', { title: sharpness.title, dataset: { testid: 'meta-sharpness' } }, sharpness.text)] : null);
  }

  // One photo; side by side each gets its details underneath, a single photo has them next to it. Detected faces are
  // drawn as boxes (a click on one of a group photo goes to its row).
  // Returns {el, lens} (lens: the 1:1 loupe, null when there is no picture to look into).
  function figure(item, caption, testid, faces = [], group = null) {
    const picture = itemImage(item, 640, { srcset: thumbSrcset(item), sizes: CARD_IMAGE_SIZES });
    const image = h('a', { href: item.original_url, target: '_blank', rel: 'noopener', 'aria-label': `Open ${item.file_name}` },
      picture);
    const readable = !!item.width && item.category !== 'unreadable';
    const stage = faces.length && readable
      ? faceStage(item, faces, image, group ? (index) => group.focus(index) : null)
      : h('div', { class: 'photo-stage' }, image);
    // A small photo is shown at most twice its own size, not blown up (and blurred) to the card's width; the stage
    // shrinks with it, so that face boxes drawn on the stage stay on the faces.
    if (readable && picture.tagName === 'IMG') stage.style.maxWidth = `min(100%, ${2 * item.width}px)`;
    const lens = readable ? photoLens(item, stage) : null;
    return { lens, el: h('figure', { class: 'photo', dataset: { testid } }, stage,
      lens ? h('div', { class: 'photo-tools' }, lens.button) : null,
      caption ? h('figcaption', {}, h('strong', {}, caption), meta(item)) : null) };
  }

  // A 409 means the item is no longer where this page saw it: say so and show the queue as it is now.
  async function conflict(err) {
    // The server's words end with "nothing was changed"; said once, first.
    // The server's "; nothing was changed" may also come before what to do (": put it back there to decide it").
    const why = err.message.replace(/;\s*nothing was changed\.?$/i, '').replace(/;\s*nothing was changed(?=:)/i, '')
      .replace(/\.$/, '');
    toast(`Nothing was changed: ${why}.`, 'error');
    await refresh();
  }

  // Why an approve could not go ahead without a person, and what the reviewer can do: a role that may not add
  // persons is told so, rather than asked for a new name it cannot give.
  function whoFirst(name, typed) {
    if (session.permissions.manage_persons) {
      return typed ? `Nobody named "${typed}" is enrolled: choose someone from the list, or type the name into the ` +
        '"new person…" box to add them.' : `Choose who ${name} shows, or type a new name into the "new person…" box.`;
    }
    if (!state.persons.length) {
      return 'Nobody is enrolled yet, and your role may not add persons: keep the photo without a person, or ask ' +
        'an admin to add persons on the People page.';
    }
    return typed ? `Nobody named "${typed}" is enrolled, and your role may not add persons: choose an enrolled ` +
      'person, or keep the photo without a person.' : `Choose who ${name} shows from the enrolled persons.`;
  }

  let keptPerson = null;   // {item, person}: the name of an approve that failed, chosen again on the card drawn anew
  async function act(action, item, picker, keep = '', against = undefined) {
    if (busy || signal.aborted) return;
    const id = item.id;
    const from = item.folder;
    const name = item.file_name;
    let person = '';
    if (action === 'approve' && !filable(item)) { toast(`${name}: ${NOT_FILABLE}`, 'error'); return; }
    if (action === 'approve') {
      person = picker.value();
      if (!person) { toast(whoFirst(name, picker.typed ? picker.typed() : ''), 'error'); picker.focus(); return; }
    }
    hold(true);
    current = null;
    try {
      if (action === 'approve') {
        const out = await api.post(`/api/review/${id}/approve`, { person, from, new_person: newPerson(picker) });
        offerUndo(`Sorted ${name} under ${filedUnder(out.item.person, person)}.`, out.undo, 'info', item);
        rememberPerson(out.item.person);
        if (!known(out.item.person)) await loadPersons();
      } else if (action === 'keep') {
        const out = await api.post(`/api/review/${id}/keep`, { from });
        offerUndo(`Kept ${name} in ${out.item.folder}.`, out.undo, 'info', item);
      } else if (action === 'duplicate') {
        // `against`: the photo the card shows it beside; another tab's keep may have put another copy there since.
        const out = await api.post(`/api/review/${id}/duplicate`, { keep, from, against });
        const said = { new: `Kept ${name} in ${out.item.folder}; the other copy went to the trash.`,
          existing: `Kept the existing copy; ${name} went to the trash.`, both: `Kept both; ${name} is in ${out.item.folder}.` };
        offerUndo(said[keep], out.undo, 'info', item);
      } else if (action === 'reject') {
        const out = await api.post(`/api/review/${id}/reject`, { from });
        offerUndo(`Moved ${name} to the trash.`, out.undo, 'info', item);
      } else {
        const out = await api.post(`/api/review/${id}/skip`, { from });
        offerUndo(`Skipped ${name} for later.`, out.undo, 'info', item);
      }
      await refresh();
    } catch (err) {
      if (err.status === 401) return;   // the session ended: the login form says so (app.js)
      if (action === 'approve' && enrolledAlready(err, picker, name)) return;
      if (err.status === 409) await conflict(err);
      else {
        toast(`${failedTo(action, name, person, keep)}: ${unstop(err.message)}.`, 'error');
        // The card is drawn anew: the name chosen or typed for it stays, for another try.
        if (person) keptPerson = { item: id, person };
        await refresh().catch(() => {});
      }
    } finally { hold(false); }
  }

  // Whether the person is a name typed into the "new person…" box: the server then files nothing under someone
  // enrolled already (by folder, as written, or transliterated: "Obama ", "Ольга" for olga), which would teach them
  // this face unasked (POST /api/review/{id}/approve and bulk, "new_person").
  const newPerson = (picker) => !!(picker.newTyped && picker.newTyped());

  // The server's refusal of a "new" person who is enrolled already: that person is chosen in the list instead, for
  // the reviewer to confirm with another approve (or to type another name). True when `err` was that refusal.
  function enrolledAlready(err, picker, what) {
    const existing = err.status === 409 && err.error === 'already_exists' && err.body && err.body.person;
    if (!existing) return false;
    const typed = picker.newTyped ? picker.newTyped() : '';
    picker.choose(existing);
    toast(`“${typed}” is ${personName(existing)}, enrolled already: nothing was filed, and ${personName(existing)} is ` +
      `chosen in the list. Approve again to file ${what} under them, or type another name for someone new.`, 'warn');
    picker.focus();
    return true;
  }

  // Forgets an item whose file was deleted outside triage (nothing to move, so nothing to undo).
  async function forget(item) {
    if (busy || signal.aborted) return;
    hold(true);
    current = null;
    try {
      await api.post(`/api/items/${item.id}/forget`);
      toast(`Forgot ${item.file_name}: its file was gone.`);
      await refresh();
    } catch (err) {
      if (err.status === 401) return;
      if (err.status === 409) await conflict(err);
      else { toast(`Could not forget ${item.file_name}: ${unstop(err.message)}.`, 'error'); await refresh().catch(() => {}); }
    } finally { hold(false); }
  }

  // Adds a person typed on a face row that nobody has yet (POST /api/persons); resolves with their folder name, or ''
  // when it failed (said in a toast).
  let enrolled = null;   // {name, undo} of the person enrol() added for the face being named
  async function enrol(name) {
    if (busy || signal.aborted) return '';
    hold(true);
    try {
      const out = await api.post('/api/persons', { name });
      toast(`Added ${out.person.display_name || out.person.name} as a new person.`);
      enrolled = { name: out.person.name, undo: out.undo || '' };
      await loadPersons();
      return out.person.name;
    } catch (err) {
      if (err.status !== 401) toast(err.message, 'error');
      return '';
    } finally { hold(false); }
  }

  // Names one face of a group photo (person '' marks it as nobody tracked); once every face is done the server files
  // the photo where the policy sends it and the queue moves on.
  // What is left to decide for a group photo whose faces are all named but that the policy keeps in review.
  const decideWords = (faces) => {
    const named = [...new Set((faces || []).map((f) => f.named_as).filter(Boolean))].map(personName);
    return named.length ? `approve it as ${named.length === 1 ? named[0] : `one of ${named.join(', ')}`} (choose the ` +
      'name under "This is"), or keep it without a person' : 'keep it without a person, or delete it';
  };
  const focusFace = { item: 0 };
  // Names typed or chosen on the other faces' rows, kept over the card drawn anew after one face is named: marking
  // face 2 as not tracked does not wipe the name already picked for face 3.
  let keptFaces = null;   // {item, names: {index: text}}
  async function nameFace(item, index, person) {
    if (busy || signal.aborted) return;
    const names = {};
    for (const row of body.querySelectorAll('[data-testid="face-row"]')) {
      const typed = row.querySelector('input[role="combobox"]');
      if (typed && typed.value.trim() && Number(row.dataset.face) !== index) names[row.dataset.face] = typed.value;
    }
    keptFaces = { item: item.id, names };
    hold(true);
    try {
      const body = person ? { person, from: item.folder } : { untracked: true, from: item.folder };
      const out = await api.post(`/api/review/${item.id}/faces/${index}`, body);
      if (person) rememberPerson(person);
      // Undo takes back the person added for this face too.
      if (out.undo && enrolled && enrolled.name === person && enrolled.undo) out.undo = `${out.undo} ${enrolled.undo}`;
      const what = !person ? `Face ${index + 1} of ${item.file_name}: not tracked.`
        : `Face ${index + 1} of ${item.file_name} is ${personName(person)}` +
          (enrolled && enrolled.name === person ? ' (added as a new person)' : '') +
          (out.learnt ? `, and one of ${personName(person)}'s reference faces now (it helps recognise them in new photos).` : '.');
      const then = out.filed ? ` Every face is named: it went to ${out.item.folder}.`
        : out.open ? ` ${plural(out.open, 'face')} to go.` : ` Every face is named; it stays in ${out.item.folder} for you to ` +
          `decide: ${decideWords(out.faces)}.`;
      offerUndo(what + then, out.undo, 'info', item);
      focusFace.item = out.filed ? 0 : item.id;
      enrolled = null;
      await refresh();
    } catch (err) {
      if (err.status === 401) return;   // the session ended: the login form says so (app.js)
      if (err.status === 409) await conflict(err);
      else {
        toast(`Could not name face ${index + 1} of ${item.file_name}: ${unstop(err.message)}.`, 'error');
        await refresh().catch(() => {});
      }
    } finally { hold(false); }
  }

  function move(delta) {
    const next = state.index + delta;
    if (next >= 0 && next < state.items.length) { state.index = next; render(); return; }
    const pages = Math.ceil(state.total / state.perPage);
    if (delta > 0 && state.page < pages) { state.page++; state.index = 0; refresh(); }
    if (delta < 0 && state.page > 1) { state.page--; state.index = state.perPage - 1; refresh(); }
  }

  const facesWords = (n) => (n === 1 ? '1 face' : `${n || 'no'} faces`);
  // A library photo is where its file is: faces/<person>/, or photos/<yyyy>/<mm>/ for one filed without a person.
  const where = (item) => (item.location === 'library' ? `in ${item.folder || (item.person ? `faces/${item.person}`
    : 'the library')}` : item.location === 'review' ? `waiting in ${categoryLabel(item.category).toLowerCase()}`
    : item.location === 'archive' ? 'in the archive (replaced by an approved proposal)' : 'in the trash');

  // {item, picker, card} of the card on screen, for keyboard shortcuts; null while a card loads or a decision runs.
  let current = null;
  let loadingCards = 0;   // single() calls still fetching their card's details
  async function single(body) {
    current = null;
    loadingCards += 1;
    try { await showCard(body); } finally { loadingCards -= 1; keyWait.settle(); }
  }
  async function showCard(body) {
    const item = state.items[state.index];
    if (!item) { keepPlace(null); return mount(body, emptyQueue()); }
    const detail = await api.get(`/api/review/${item.id}`);
    if (signal.aborted || state.items[state.index] !== item) return;   // another card or page took over meanwhile
    const focusCard = () => { const card = body.querySelector('[data-testid="review-card"]'); if (card) card.focus(); };
    const picker = cardPicker('person', { onEnter: () => act('approve', item, picker), onEscape: focusCard });
    if (keptPerson && keptPerson.item === item.id) picker.choose(keptPerson.person);
    keptPerson = null;
    const position = (state.page - 1) * state.perPage + state.index + 1;
    const dup = detail.duplicate_of;
    const group = canReview && !dup && detail.faces.length >= 2
      ? facesPanel(item, detail.faces, state.persons, { name: (index, person) => nameFace(item, index, person),
        onEscape: focusCard, enrol: session.permissions.manage_persons ? enrol : null,
        keepClear: () => group && group.el.closest('[data-testid="review-card"]')?.querySelector('[data-testid="actions"]') })
      : null;
    // A file deleted or moved outside triage cannot be looked at nor decided: the card says where it was and offers to
    // forget it (or to put it back, then decide it).
    const gone = !!detail.file_missing;
    const photo = dup || gone ? null : figure(item, '', 'photo', detail.faces, group);
    const media = gone
      ? h('div', { class: 'photo file-missing', dataset: { testid: 'file-missing' } },
        h('p', {}, h('strong', {}, 'The file is gone. '),
          `${item.file_name} is no longer in ${item.folder}: it was deleted or moved outside triage.`),
        h('p', { class: 'muted' }, `Put it back in ${item.folder} to decide it, or forget it: its place in the queue, ` +
          'its faces and scores go (the audit log keeps the line).'))
      : dup
        ? compareView(item, dup, `Right: the photo it duplicates, item ${dup.id}, ${where(dup)}`,
          { advice: canReview, mayReplace: mayReplace(dup) })
        : photo.el;
    media.classList.add('card-media');
    // A duplicate is decided as one (keep left, keep right, keep both) or left for later: approving it as a person or
    // keeping it alone would file a second copy of one picture, so those buttons are not offered.
    const skip = h('button', { type: 'button', dataset: { testid: 'skip' }, onclick: decisionTap(() => act('skip', item, picker)) },
      'Skip', h('kbd', {}, 's'));
    const decisions = gone
      ? [h('button', { type: 'button', class: 'danger', dataset: { testid: 'forget' }, onclick: decisionTap(() => forget(item)) },
        'Forget it'), skip]
      : dup
      ? [...keepButtons(item, dup, (keep) => act('duplicate', item, picker, keep, dup.id), { mayReplace: mayReplace(dup) }), skip]
      : [filable(item) ? h('button', { type: 'button', class: 'primary', dataset: { testid: 'approve' },
        onclick: decisionTap(() => act('approve', item, picker)) }, 'Approve & sort', h('kbd', {}, 'a')) : null,
      h('button', { type: 'button', dataset: { testid: 'keep' }, title: 'Keep in photos/<year>/<month>/',
        onclick: decisionTap(() => act('keep', item, picker)) }, 'Keep, no person', h('kbd', {}, 'k')),
      h('button', { type: 'button', class: 'danger', dataset: { testid: 'reject' },
        onclick: decisionTap(() => act('reject', item, picker)) }, 'Delete', h('kbd', {}, 'd')),
      skip];
    const card = h('article', { class: 'review-card card', tabindex: '-1', 'aria-label': `Review ${item.file_name}`,
      dataset: { testid: 'review-card', itemId: item.id, category: item.category } },
      // Why the photo waits comes first: on a phone (one column) it is read before the photos and the buttons.
      h('div', { class: 'card-head' },
        h('span', { class: `badge cat-${item.category}` }, categoryLabel(item.category)),
        h('p', { class: 'reason', dataset: { testid: 'reason' } }, whyItWaits(item, detail, dup))),
      media,
      h('div', { class: 'details' },
        communityVotes(detail.votes),
        group ? group.el : null,
        canReview ? [
          dup || gone ? null : filable(item) ? h('div', { class: 'person-row' }, h('span', {}, 'This is: '), picker.el,
            suggestionChip(detail.suggestion, picker))
            : h('p', { class: 'muted', dataset: { testid: 'not-filable' } }, NOT_FILABLE),
          h('div', { class: 'actions', dataset: { testid: 'actions' } }, decisions)]
          : h('p', { class: 'muted' }, 'Your role may look but not decide.'),
        dup ? null : meta(item),
        h('div', { class: 'pager' },
          h('button', { type: 'button', onclick: () => move(-1), disabled: position <= 1, 'aria-label': 'Previous' },
            '←'),
          h('span', { dataset: { testid: 'position' } }, `${position} of ${state.total}`),
          h('button', { type: 'button', onclick: () => move(1), disabled: position >= state.total, 'aria-label': 'Next' },
            '→'))));
    mount(body, card);
    holdIfBusy();
    watchDecisionBar(card.querySelector('[data-testid="actions"]'));
    current = { item, picker, card, dup, gone, suggestion: detail.suggestion, lens: photo && photo.lens,
      shownAt: performance.now() };
    keepPlace(item, position);
    prefetch(state.index + 1);
    // After a face was named, the next face still to name takes the keys.
    if (group && keptFaces && keptFaces.item === item.id) {
      for (const [index, text] of Object.entries(keptFaces.names)) {
        const face = detail.faces.find((f) => f.index === Number(index));
        if (face && !face.named_as && !face.untracked) group.fill(face.index, text);
      }
    }
    keptFaces = null;
    const next = group && focusFace.item === item.id ? detail.faces.find((f) => !f.named_as && !f.untracked) : null;
    focusFace.item = 0;
    if (next) group.focus(next.index);
    else if (!typingInFormControl({ target: document.activeElement })) card.focus({ preventScroll: true });
  }

  // On phones the decision buttons are a bar fixed along the bottom edge: the page keeps room below the card as tall
  // as the bar really is (its labels may wrap), so that nothing stays hidden behind it.
  const barObserver = new ResizeObserver(([entry]) => {
    const height = Math.ceil(entry.target.getBoundingClientRect().height);
    root.style.setProperty('--decision-bar-px', `${height}px`);
  });
  signal.addEventListener('abort', () => barObserver.disconnect());
  // A field that takes the focus under that bar (typing a name on a phone) is scrolled up above it: the browser sees
  // the field on screen and would leave it hidden.
  root.addEventListener('focusin', (e) => {
    const bar = root.querySelector('.review-card [data-testid="actions"]');
    if (!bar || getComputedStyle(bar).position !== 'fixed' || bar.contains(e.target)) return;
    // The card itself takes the focus when it is shown: it holds the bar and opens at its top, never scrolled.
    if (e.target.contains(bar)) return;
    const top = bar.getBoundingClientRect().top;
    const box = e.target.getBoundingClientRect();
    // Something taller than the room above the bar cannot be brought above it: scrolling would hide its top.
    if (box.height > top - 24) return;
    if (box.bottom > top - 8) window.scrollBy(0, box.bottom - top + 16);
  }, { signal });
  function watchDecisionBar(bar) {
    barObserver.disconnect();
    if (bar) barObserver.observe(bar);
  }

  // The next cards' details and images are fetched while this one is looked at, so that they show at once.
  const prefetched = new Set();
  function prefetch(from) {
    for (const item of state.items.slice(from, from + 2)) {
      if (prefetched.has(item.id)) continue;
      prefetched.add(item.id);
      api.get(`/api/review/${item.id}`).catch(() => prefetched.delete(item.id));
      if (item.category !== 'unreadable') new Image().src = `${item.thumbnail_url}?size=640`;
    }
  }

  // An empty queue: everything decided, or (a library with no photo at all) nothing came in yet, and how it does.
  function emptyQueue() {
    const note = h('p', { class: 'muted', dataset: { testid: 'empty-note' } },
      state.category ? `No photo waits in ${categoryLabel(state.category).toLowerCase()}.` : 'Every photo has found its place.');
    if (!state.category) {
      api.get('/api/status').then((status) => {
        if (status.in_library !== 0 || status.pending_review !== 0) return;
        mount(note, 'No photos yet. Add some with ', h('strong', {}, 'Add photos…'), ' above, by dropping files into the ',
          'library\'s ', h('code', {}, 'inbox/'), ' folder while ', h('code', {}, 'triage watch'), ' runs, or with ',
          h('code', {}, 'triage ingest <folder>'), '.');
      }).catch(() => {});
    }
    return h('div', { class: 'card empty' }, h('h2', {}, 'Nothing to review'), note);
  }

  async function exportList() {
    const ids = [...state.selected];
    const csv = await api.get('/api/review/export' + qs({ ids: ids.join(','), category: ids.length ? '' : state.category }));
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    const a = h('a', { href: url, download: 'review-list.csv' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // How many of the selected photos are duplicates or near duplicates: of those on the page, and of those Ctrl+A
  // selected on the category's other pages (state.copiesSelected, read when it selected them).
  function duplicatesSelected() {
    const ids = new Set(state.items.filter((i) => state.selected.has(i.id) && DUPLICATE_CATEGORIES.has(i.category))
      .map((i) => i.id));
    for (const id of state.copiesSelected) if (state.selected.has(id)) ids.add(id);
    return ids.size;
  }

  let selectFirst = 0;   // the toast asking for a selection, taken away once there is one
  async function bulk(action, picker) {
    if (busy || signal.aborted) return;   // a double click sends one request, not a second that finds nothing to do
    const ids = [...state.selected];
    if (!ids.length) { selectFirst = toast('Select some photos first.', 'error'); return; }
    const from = {};
    for (const item of state.items) if (state.selected.has(item.id)) from[item.id] = item.folder;
    const body = { ids, action, from };
    if (FILING_ACTIONS.has(action) && (duplicatesSelected() || DUPLICATE_CATEGORIES.has(state.category))) {
      toast(DUPLICATES_NOTE(duplicatesSelected(), DUPLICATE_CATEGORIES.has(state.category)), 'error');
      return;
    }
    if (action === 'approve' || action === 'name_face') {
      body.person = picker.value();
      if (action === 'approve') body.new_person = newPerson(picker);
      if (!body.person) {
        toast(action === 'approve' ? 'Choose who these are, or type a new name.' : 'Choose whose faces these are.', 'error');
        picker.focus();
        return;
      }
    }
    // Naming faces as somebody nobody has enrolled yet adds them first, as naming one face on a card does; undo takes
    // the person back too.
    let added = null;
    if (action === 'name_face' && !state.persons.some((p) => p.name === personKeyOf(body.person))) {
      if (!session.permissions.manage_persons) {
        toast(`Nobody called ${body.person} is enrolled yet, and your role may not add people.`, 'error');
        picker.focus();
        return;
      }
      const name = await enrol(body.person);
      if (!name) return;
      added = enrolled;
      enrolled = null;
      body.person = name;
    }
    if (action === 'approve') {
      // A photo in which no face was found, ticked with portraits (a landscape, the cups), would be filed under the
      // person with them: asked first, naming those of this page.
      const faceless = state.items.filter((i) => state.selected.has(i.id) && i.faces_detected === 0);
      if (faceless.length) {
        const names = faceless.slice(0, 5).map((i) => shortName(i.file_name));
        const shown = names.join(', ') + (faceless.length > names.length ? `, and ${faceless.length - names.length} more` : '');
        const ok = await confirmDialog(`${plural(faceless.length, 'photo')} without a face`, [
          `No face was found in ${shown}. Approving sorts ${faceless.length === 1 ? 'it' : 'them'} into ` +
            `faces/${personKeyOf(body.person) || body.person} with the others.`,
          `To leave ${faceless.length === 1 ? 'it' : 'them'} out, cancel and untick ${faceless.length === 1 ? 'it' : 'them'};` +
            ' "Keep selected, no person" files a photo without a person.'],
        `Sort all ${plural(ids.length, 'photo')}`, 'primary');
        if (!ok) { picker.focus(); return; }
      }
    }
    if (action === 'reject') {
      // Named: the first five of those on this page; counted: every one selected (Ctrl+A takes other pages too).
      const names = state.items.filter((i) => state.selected.has(i.id)).map((i) => i.file_name).slice(0, 5);
      const rest = ids.length - names.length;
      const shown = names.length ? names.join(', ') + (rest > 0 ? `, and ${rest} more` : '')
        : `${plural(ids.length, 'photo')} on other pages`;
      const ok = await confirmDialog(`Delete ${plural(ids.length, 'photo')}?`,
        [`${plural(ids.length, 'photo')} will move to the trash: ${shown}.`,
          'They stay in the trash until it is purged.'], `Delete ${plural(ids.length, 'photo')}`);
      if (!ok) return;
    }
    hold(true);
    try {
      const out = await api.post('/api/review/bulk', body);
      // A conflict is a photo moved meanwhile, or one the server refused for what it is (a copy to decide as a
      // duplicate): only the first is counted as moved; the others' reasons are said.
      const movedMeanwhile = (r) => r.conflict && /meanwhile|no longer (in|waits)|waits no more/.test(r.error || '');
      const moved = out.results.filter(movedMeanwhile).length;
      const who = out.person || body.person;   // as the folder names them
      const verb = { approve: `sorted under ${filedUnder(who, body.person)}`, keep: 'kept without a person',
        reject: 'moved to the trash', skip: 'skipped', name_face: `named as ${writtenName(who, body.person)}` }[action];
      // Why the others were not changed, in the server's words (a photo with no face or several, one moved meanwhile).
      const refused = out.results.filter((r) => !r.ok && !movedMeanwhile(r));
      const why = refused.slice(0, 2).map((r) => r.error).join('; ') +
        (refused.length > 2 ? `; and ${refused.length - 2} more` : '');
      const message = `${plural(out.succeeded, 'photo')} ${verb}${out.failed ? `; ${out.failed} not changed` : ''}` +
        `${moved ? ` (${moved} had been moved meanwhile)` : ''}${why ? `: ${why}` : ''}.`;
      if (added && added.undo) out.undo = out.undo ? `${out.undo} ${added.undo}` : added.undo;
      offerUndo(message, out.undo, out.failed ? 'error' : 'info');
      // The grid's cursor goes where the first photo acted on stood: the photo after the block stands there now
      // (left where it was, it would skip as many photos as went).
      const first = state.items.findIndex((i) => state.selected.has(i.id));
      if (first >= 0 && first < gridKeys.cursor) gridKeys.cursor = first;
      // The photos it did not change stay selected, and the person chosen, so that the reviewer can see which and
      // file them another way (or fix what was wrong) without picking them out again.
      state.selected.clear();
      for (const r of refused) state.selected.add(r.id);
      if (action === 'approve' || action === 'name_face') rememberPerson(who);
      if (action === 'approve') await loadPersons();
      await refresh();
      if (refused.length && body.person && state.mode === 'grid') gridKeys.picker?.choose(body.person);
    } catch (err) {
      if (err.status === 401) return;   // the login form says the session ended
      if (action === 'approve' && enrolledAlready(err, picker, plural(ids.length, 'photo'))) return;
      const n = plural(ids.length, 'photo');
      const asked = { approve: `sort ${n} into faces/${body.person}`, keep: `keep ${n} without a person`,
        reject: `move ${n} to the trash`, skip: `skip ${n}`, name_face: `name the faces of ${n} as ${body.person}` }[action];
      toast(`Could not ${asked}: ${unstop(err.message)}.`, 'error');
    } finally { hold(false); }
  }

  // Grid keys: the cursor tile moves with the arrows, Space selects it, Shift with an arrow selects the range from
  // where the selection started, Ctrl+A selects every photo of the category (all pages, up to one bulk request).
  const gridKeys = { cursor: 0, anchor: null, clicked: null, tiles: [], sync: () => {}, picker: null };
  let bulkBarSeen = null;   // whether the grid's bulk bar is on screen (the phone's jump button)
  signal.addEventListener('abort', () => bulkBarSeen?.disconnect());
  async function selectAllOfFilter() {
    for await (const items of wholeQueue()) {
      for (const item of items) {
        if (state.selected.size >= MAX_BULK) break;
        state.selected.add(item.id);
        if (DUPLICATE_CATEGORIES.has(item.category)) state.copiesSelected.add(item.id);
      }
      if (state.selected.size >= MAX_BULK) break;
    }
    gridKeys.sync();
    if (state.selected.size >= MAX_BULK) toast(`Selected the first ${MAX_BULK} photos (one request takes at most that many).`);
  }
  function onGridKey(e) {
    const { tiles } = gridKeys;
    // A tile's own checkbox (focused by a click on the tile) takes no typing: the grid's keys act from there, on
    // that tile.
    const tileOfBox = e.target instanceof Element && e.target.matches('input[type=checkbox]')
      ? tiles.indexOf(e.target.closest('[data-testid="tile"]')) : -1;
    if (!tiles.length || !tiles[0].isConnected || e.altKey || (typingInFormControl(e) && tileOfBox < 0)) return false;
    if (tileOfBox >= 0) gridKeys.cursor = tileOfBox;
    if ((e.ctrlKey || e.metaKey) && e.key === 'a') {
      e.preventDefault();
      selectAllOfFilter().catch((err) => toast(err.message, 'error'));
      return true;
    }
    if (e.ctrlKey || e.metaKey) return false;
    const next = arrowTarget(e.key, gridKeys.cursor, gridColumns(tiles), tiles.length);
    if (next !== undefined) {
      e.preventDefault();
      if (e.shiftKey) {
        if (gridKeys.anchor === null) gridKeys.anchor = gridKeys.cursor;
        const [lo, hi] = [Math.min(gridKeys.anchor, next), Math.max(gridKeys.anchor, next)];
        state.items.forEach((item, i) => { if (i >= lo && i <= hi) state.selected.add(item.id); });
      } else gridKeys.anchor = null;
      gridKeys.cursor = next;
      gridKeys.sync();
      return true;
    }
    if (e.key === 'n' && canReview && gridKeys.picker) {
      e.preventDefault();
      bulk('name_face', gridKeys.picker);
      return true;
    }
    // d deletes what is selected, as the shortcut sheet says (the button asks first); Esc lets go of the selection,
    // so that a later "Delete selected" cannot act on photos chosen and forgotten.
    if ((e.key === 'd' || e.key === 'Delete') && canReview && state.selected.size && !e.shiftKey) {
      e.preventDefault();
      bulk('reject', gridKeys.picker);
      return true;
    }
    if (e.key === 'Escape' && state.selected.size) {
      e.preventDefault();
      const n = state.selected.size;
      state.selected.clear();
      gridKeys.anchor = null;
      gridKeys.sync();
      toast(`Selection cleared (${n} ${n === 1 ? 'photo' : 'photos'}).`);
      return true;
    }
    if (e.key === ' ') {
      e.preventDefault();
      const { id } = state.items[gridKeys.cursor];
      if (state.selected.has(id)) state.selected.delete(id); else state.selected.add(id);
      gridKeys.anchor = gridKeys.cursor;
      gridKeys.sync();
      return true;
    }
    return false;
  }

  function grid(body) {
    current = null;
    keepPlace(null);
    if (!state.items.length) return mount(body, emptyQueue());
    // Esc leaves the picker for the grid, so that the grid's keys (n, Space, the arrows) act again.
    const picker = cardPicker('bulk-person', { onEnter: () => bulk('approve', picker),
      onEscape: () => gridKeys.tiles[gridKeys.cursor]?.focus({ preventScroll: true }) });
    gridKeys.picker = picker;
    const count = h('span', { dataset: { testid: 'selected-count' } }, `${state.selected.size} selected`);
    // On a phone the bar stays where it is (stuck to the top it took a third of the screen): once it is scrolled
    // away, a button at the bottom says what is selected and brings the bar back.
    const jump = h('button', { type: 'button', class: 'bulk-jump', dataset: { testid: 'bulk-jump' }, hidden: true,
      onclick: () => bar.scrollIntoView({ block: 'start', behavior: 'smooth' }) });
    const syncCount = () => {
      count.textContent = `${state.selected.size} selected`;
      jump.textContent = `${state.selected.size} selected · actions ↑`;
      jump.hidden = !state.selected.size;
    };
    // What files a photo (approve, name its face, keep) is not offered for duplicates: the bar says why instead.
    const filing = canReview ? [h('span', {}, 'These are: '), picker.el,
      h('button', { type: 'button', class: 'primary', dataset: { testid: 'bulk-approve' },
        onclick: () => bulk('approve', picker) }, 'Approve selected'),
      h('button', { type: 'button', dataset: { testid: 'bulk-name-faces' }, onclick: () => bulk('name_face', picker),
        title: 'Name the one face of each selected photo as the chosen person (photos with no face or several are left)' },
      'Name their faces', h('kbd', {}, 'n')),
      h('button', { type: 'button', dataset: { testid: 'bulk-keep' }, onclick: () => bulk('keep', picker) },
        'Keep selected, no person')] : [];
    const duplicatesNote = h('p', { class: 'bulk-note small', dataset: { testid: 'bulk-duplicates-note' }, hidden: true });
    const syncFiling = () => {
      const dups = duplicatesSelected();
      for (const el of filing) el.hidden = dups > 0 || DUPLICATE_CATEGORIES.has(state.category);
      duplicatesNote.hidden = !canReview || !(dups > 0 || DUPLICATE_CATEGORIES.has(state.category));
      duplicatesNote.textContent = DUPLICATES_NOTE(dups, DUPLICATE_CATEGORIES.has(state.category));
    };
    gridKeys.cursor = Math.max(0, Math.min(gridKeys.cursor, state.items.length - 1));
    const tiles = state.items.map((item, index) => {
      const box = h('input', { type: 'checkbox', checked: state.selected.has(item.id), 'aria-label': item.file_name,
        onchange: () => {
          if (box.checked) state.selected.add(item.id); else state.selected.delete(item.id);
          tile.classList.toggle('selected', box.checked);
          syncCount();
          if (state.selected.size) dismissToast(selectFirst);
          syncFiling();
        } });
      // The cursor is drawn from the start, so the first arrow key moves from a tile the reviewer can see.
      const tile = h('label', { class: `tile${state.selected.has(item.id) ? ' selected' : ''}` +
        `${index === gridKeys.cursor ? ' cursor' : ''}`, tabindex: '-1',
        dataset: { testid: 'tile', itemId: item.id, category: item.category }, onclick: (e) => selectRange(e, index) },
      box, itemImage(item, 320, { loading: 'lazy', srcset: thumbSrcset(item, [160, 320, 640]), sizes: '200px' }),
      tileName(item.file_name),
      h('span', { class: 'tile-cat' }, categoryLabel(item.category),
        h('span', { class: 'tile-faces', dataset: { testid: 'tile-faces' } }, ` · ${facesWords(item.faces_detected)}`)));
      return tile;
    });
    // Shift+click selects every tile from the one clicked before to this one, as in a file manager (a click without
    // Shift toggles one tile and becomes where the next range starts).
    function selectRange(e, index) {
      if (e.detail === 0) return;   // the checkbox's own click, relayed by the label: counted once, on the label
      // By photo, not by place: after a page or a redraw, a range starts only from a photo still on this page.
      const from = state.items.findIndex((i) => i.id === gridKeys.clicked);
      gridKeys.clicked = state.items[index].id;
      if (!e.shiftKey || from < 0 || from === index) return;
      e.preventDefault();
      for (let i = Math.min(from, index); i <= Math.max(from, index); i++) {
        state.selected.add(state.items[i].id);
        tiles[i].querySelector('input').checked = true;
        tiles[i].classList.add('selected');
      }
      syncCount();
      dismissToast(selectFirst);
      syncFiling();
    }
    gridKeys.tiles = tiles;
    gridKeys.cursor = Math.min(gridKeys.cursor, tiles.length - 1);
    gridKeys.sync = () => {
      tiles.forEach((tile, i) => {
        const on = state.selected.has(state.items[i].id);
        tile.classList.toggle('selected', on);
        tile.classList.toggle('cursor', i === gridKeys.cursor);
        tile.querySelector('input').checked = on;
      });
      syncCount();
      if (state.selected.size) dismissToast(selectFirst);
      syncFiling();
      const active = document.activeElement;
      const elsewhere = typingInFormControl({ target: active }) && !tiles.some((tile) => tile.contains(active));
      if (active !== tiles[gridKeys.cursor] && !elsewhere) {
        tiles[gridKeys.cursor].focus({ preventScroll: false });
      }
    };
    const pages = Math.ceil(state.total / state.perPage);
    const bar = h('div', { class: 'bulk-bar card', dataset: { testid: 'bulk-bar' } }, count,
      filing,
      canReview ? h('button', { type: 'button', class: 'danger', dataset: { testid: 'bulk-reject' },
        onclick: () => bulk('reject', picker) }, 'Delete selected') : null,
      h('button', { type: 'button', dataset: { testid: 'bulk-export' }, onclick: () => exportList()
        .catch((e) => toast(e.message, 'error')) }, 'Export list'),
      duplicatesNote);
    bulkBarSeen?.disconnect();
    bulkBarSeen = new IntersectionObserver(([entry]) => jump.classList.toggle('away', !entry.isIntersecting));
    bulkBarSeen.observe(bar);
    syncCount();
    mount(body,
      bar, jump,
      h('div', { class: 'grid' }, tiles),
      pages > 1 ? h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: state.page <= 1, onclick: () => { state.page--; refresh(); } }, '←'),
        h('span', {}, `page ${state.page} of ${pages}`),
        h('button', { type: 'button', disabled: state.page >= pages, onclick: () => { state.page++; refresh(); } },
          '→')) : null);
    syncFiling();
    holdIfBusy();
    // Opened (Select several), the grid takes the focus on its cursor tile: the arrows and Space act at once.
    const active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) tiles[gridKeys.cursor]?.focus({ preventScroll: true });
  }

  // A live update redraws the grid around what the reviewer holds: the cursor and a shift-selection's anchor stay on
  // their photos wherever those moved to, and the focus comes back to the tile (or its checkbox) it was on.
  function redrawGridKeepingPlace() {
    const idAt = (i) => (i !== null && gridKeys.tiles[i] ? Number(gridKeys.tiles[i].dataset.itemId) : null);
    const [cursorId, anchorId] = [idAt(gridKeys.cursor), idAt(gridKeys.anchor)];
    const active = document.activeElement;
    const focusedTile = active && body.contains(active) ? active.closest('[data-testid="tile"]') : null;
    const onCheckbox = Boolean(focusedTile) && active.matches('input[type=checkbox]');
    grid(body);
    const indexOf = (id) => (id === null ? -1 : state.items.findIndex((it) => it.id === id));
    if (indexOf(cursorId) >= 0) gridKeys.cursor = indexOf(cursorId);
    gridKeys.anchor = indexOf(anchorId) >= 0 ? indexOf(anchorId) : null;
    if (!focusedTile || !gridKeys.tiles.length) return;
    const at = indexOf(Number(focusedTile.dataset.itemId));
    if (at >= 0) gridKeys.cursor = at;
    gridKeys.tiles.forEach((tile, i) => tile.classList.toggle('cursor', i === gridKeys.cursor));
    const tile = gridKeys.tiles[gridKeys.cursor];
    (onCheckbox ? tile.querySelector('input') : tile).focus({ preventScroll: true });
  }

  const body = h('div', { class: 'review-body' });
  const DECISION_KEYS = new Set(['a', 'k', 'd', ...Object.keys(KEEP_KEYS)]);
  const WAITING_KEYS = new Set([...(canReview ? ['a', 'k', 'd', 's', '1', ...Object.keys(KEEP_KEYS)] : []), 'z',
    'ArrowLeft', 'ArrowRight']);
  const keyWait = keyWaiter({ body, itemOf: (id) => state.items.find((it) => it.id === id),
    shown: () => (current && current.card.isConnected ? current : null),
    settled: () => !busy && !loadingCards && !signal.aborted, act: cardKey });
  function render() {
    if (signal.aborted) return;
    current = null;
    mount(root, h('section', { class: 'review' }, h('h1', { class: 'sr-only' }, 'Review'), chips(), toolbar(), body));
    (state.mode === 'grid' ? Promise.resolve(grid(body)) : single(body)).catch((err) => toast(err.message, 'error'));
  }

  // The keys that act on the card on screen; true when `key` is one of them.
  function cardKey(key) {
    if (current.lens && (key === 'z' || (key === 'Escape' && current.lens.isOpen()))) {
      current.lens.toggle();
      return true;
    }
    // A decision key pressed twice quickly: the second would decide the photo that just took the first one's place.
    // (Skip is left out: s s s steps through photos on purpose, and decides none.)
    if (canReview && DECISION_KEYS.has(key)) {
      const dropped = secondPress(key, current.item.id, current.item.file_name, current.shownAt);
      if (dropped) { addToToast(dropped); return true; }
    }
    // A duplicate's keys are its own decisions (shown on its buttons); the single photo's a, k and d are not offered.
    if (current.dup && canReview) {
      if (KEEP_KEYS[key] === 'new' && !mayReplace(current.dup)) { toast(REPLACE_REFUSED, 'error'); return true; }
      if (KEEP_KEYS[key]) { act('duplicate', current.item, current.picker, KEEP_KEYS[key], current.dup && current.dup.id); return true; }
      if (key === 'a' || key === 'k' || key === 'd') {
        toast('A duplicate is decided as one: l keeps the left copy, r the right one, b both; s skips it.');
        return true;
      }
    }
    // A card whose file is gone is forgotten with its button (it cannot be undone, so no key does it) or skipped.
    if (current.gone && canReview && (key === 'a' || key === 'k' || key === 'd')) {
      toast(`${current.item.file_name}'s file is gone: put it back in ${current.item.folder} to decide it, or forget ` +
        'it with the button (s skips it).');
      return true;
    }
    const keys = current.dup ? { s: 'skip' } : { a: 'approve', k: 'keep', d: 'reject', s: 'skip' };
    if (keys[key] && canReview) { act(keys[key], current.item, current.picker); return true; }
    if (key === '1' && canReview && current.suggestion && current.suggestion.person) {
      takeSuggestion(current.suggestion);
      return true;
    }
    if (key === 'ArrowLeft') { move(-1); return true; }
    if (key === 'ArrowRight') { move(1); return true; }
    return false;
  }

  // Why the photo waits: its reasons at intake; for a copy decided as a duplicate once and waiting now as a photo of
  // its own (kept beside an original that waits too), that decision first, so the card does not read as a duplicate
  // still to decide.
  function whyItWaits(item, detail, dup) {
    const gone = detail.original_gone;
    if (gone) {
      const place = gone.where === 'trash' ? 'in the trash'
        : gone.where === 'archive' ? 'archived (an approved proposal replaced it)' : 'no longer in the library';
      return `Its original, item ${gone.id}, is ${place}` +
        `, so this copy is a photo of its own now: approve it, keep it or delete it. At intake: ${item.reason}`;
    }
    // The reason names the original where it was at intake; decided since, it stands elsewhere now.
    if (dup?.replaced) {
      const gone = dup.replaced.where === 'archive' ? 'archived' : dup.replaced.where === 'trash' ? 'in the trash' : 'gone';
      const standIn = dup.replaced.where === 'archive' ? 'the photo an approved proposal put in its place'
        : 'a copy of it a reviewer kept';
      return `${item.reason} Item ${dup.replaced.id} is ${gone} now, and item ${dup.id}, ${standIn}, stands for it ` +
        `(${where(dup)}, as ${dup.file_name}): this photo is compared with ${dup.replaced.where === 'archive' ? 'that photo' : 'that copy'}.`;
    }
    if (dup) {
      const path = `${dup.folder}/${dup.file_name}`;
      return item.reason.includes(path) ? item.reason
        : `${item.reason} Item ${dup.id} has moved since: it is now ${where(dup)}, as ${dup.file_name}.`;
    }
    const waitsAlone = !dup && item.duplicate_of && !DUPLICATE_CATEGORIES.has(item.category);
    const decided = waitsAlone && detail.review ? detail.review.reason : '';
    // The reason states the match made at intake; persons enrolled (or faces named) since match otherwise now.
    const now = detail.suggestion;
    if (!decided && now && now.since_intake) {
      return `At intake: ${item.reason} Against the persons enrolled now: ${matchWords(now)}.`;
    }
    if (!decided) return item.reason;
    return `Decided as a duplicate already (${decided}); it waits as a photo of its own. At intake: ${item.reason}`;
  }

  // Key 1 takes a likely match of an enrolled person only: one far away (or of somebody no longer enrolled) is a hint,
  // and "1" then "a" must not file a photo under it. The chip still takes it with a click, where it says how far it is.
  function takeSuggestion(suggestion) {
    if (!known(suggestion.person)) {
      toast(`${personName(suggestion.person)} is not enrolled (any more): choose who the photo shows in the picker.`, 'error');
    } else if (!suggestion.within_match_distance) {
      toast(`${personName(suggestion.person)} is not a likely match (${matchWords(suggestion)}): key 1 takes likely ` +
        'matches only; click the suggestion to choose it anyway.', 'error');
    } else {
      current.picker.choose(suggestion.person);
    }
  }

  // Shortcuts act on the card on screen only, and never while a form control (picker, name box) has the keys.
  function onKey(e) {
    if ((e.ctrlKey || e.metaKey) && e.key === 'z' && !fieldOwnsUndo(e)) {
      e.preventDefault();
      askUndo();   // served once the page settles: one decision back per press, newest first
      return;
    }
    if (e.key === '?' && !typingInFormControl(e)) { e.preventDefault(); shortcutsSheet(SHORTCUTS); return; }
    if (state.mode === 'grid') {
      if (!busy) onGridKey(e);
      else if (GRID_KEYS.has(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey && !typingInFormControl(e)) {
        e.preventDefault();
        toast(`Still saving the last change: “${keyName(e.key)}” was not applied. Press it again once it is done.`);
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typingInFormControl(e)) return;
    if (busy || loadingCards) {   // the key waits for the page to settle (review_keys.js)
      if (WAITING_KEYS.has(e.key) && !e.repeat) { e.preventDefault(); keyWait.wait(e.key); }
      return;
    }
    if (!current) {
      // The photo on screen was decided in another tab or by another reviewer: a key for it changes nothing, and
      // says so instead of doing nothing.
      const notice = root.querySelector('[data-testid="decided-elsewhere"]');
      if (notice && WAITING_KEYS.has(e.key) && e.key !== 'z') {
        e.preventDefault();
        if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') notice.querySelector('button')?.click();
        else toast(`“${keyName(e.key)}” changed nothing: this photo was decided elsewhere. → shows the next one.`);
      }
      return;
    }
    if (!current.card.isConnected) { current = null; return; }
    if (cardKey(e.key)) e.preventDefault();
  }
  document.addEventListener('keydown', onKey, { signal });

  const place = new URLSearchParams(location.hash.split('?')[1] || '');
  const placed = state.mode === 'single' && Number(place.get('item')) > 0;
  await Promise.all([placed ? loadPlace(Number(place.get('item')), Number(place.get('at')) || 1) : load(),
    loadPersons()]);
  render();
  followQueue({ signal, busy: () => busy, fetchPage, apply: (page) => takeLivePage(page, {
    state, root, shown: () => (current && current.card.isConnected ? current : null), forget: () => { current = null; },
    bulkPicker: () => gridKeys.picker, chips, redrawGrid: redrawGridKeepingPlace, render }) });
}
