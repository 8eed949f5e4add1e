// The review page following live updates: when the catalog's version moves (a worker added photos, another reviewer
// decided some), the queue is fetched again and handed to the page, which updates its counts and list around the
// card on screen instead of redrawing it.
import { api } from './api.js';
import { h } from './dom.js';
import { onChanges } from './live.js';

// fetchPage(): the queue page as the page would load it now. apply(page): true when taken in, false when the page
// cannot take it now (a card still loading, someone typing): then it is offered again after the next poll. While a
// decision is on its way (busy()) nothing is fetched: the decision's own refresh shows the queue as it is.
export function followQueue({ signal, busy, fetchPage, apply }) {
  let pending = false;   // a change not yet taken in
  let fetching = false;
  onChanges(async (_out, changed) => {
    pending = pending || changed;
    if (!pending || fetching || signal.aborted) return;
    if (busy()) return;
    fetching = true;
    try {
      const page = await fetchPage();
      if (!signal.aborted && !busy() && apply(page)) pending = false;
    } catch (_) { /* asked again after the next poll */ } finally { fetching = false; }
  }, signal);
}

// Takes a fresh queue page in around what is on screen: the chips and "x of N" change, the card stays (when someone
// else decided it, it says so and its buttons stop), new photos join the list or the grid. `view` is the review page:
// {state, root, shown() (the card on screen: {item, card}, or null), forget() (keys stop acting on it), bulkPicker(),
// chips(), redrawGrid(), render()}. False when the page cannot take it now (see followQueue).
export function takeLivePage(page, view) {
  const { state } = view;
  const shown = view.shown();
  if (state.mode === 'single' && !shown && state.items.length) return false;   // a card is still loading
  const bulkBar = view.root.querySelector('.bulk-bar');
  const picker = view.bulkPicker();
  if (state.mode === 'grid' && ((bulkBar && bulkBar.contains(document.activeElement)) || (picker && picker.value()))) {
    return false;   // the bulk bar is in use
  }
  Object.assign(state, { total: page.total, counts: page.counts, totalPending: page.total_pending });
  const chipBar = view.root.querySelector('.chips');
  if (chipBar) chipBar.replaceWith(view.chips());
  const same = page.items.length === state.items.length && page.items.every((it, i) => it.id === state.items[i].id);
  if (state.mode === 'grid') {
    if (!same) {
      const dropped = state.items.filter((it) => state.selected.has(it.id) && !page.items.some((p) => p.id === it.id));
      state.items = page.items;
      view.redrawGrid();
      if (dropped.length) unselectDecided(dropped.map((it) => it.id), view);
    }
    return true;
  }
  if (!shown) {
    state.items = page.items;
    state.index = 0;
    if (page.items.length) view.render();
    return true;
  }
  const at = page.items.findIndex((it) => it.id === shown.item.id);
  state.items = page.items;
  if (at >= 0) {
    state.index = at;
    showPosition(shown.card, (state.page - 1) * state.perPage + at + 1, state.total);
  } else {
    state.index = Math.min(state.index, Math.max(0, page.items.length - 1));
    view.forget();
    decidedElsewhere(shown.card, page.items.length ? 'Show the next photo' : 'Show the queue', view.render);
  }
  return true;
}

// Selected photos that left the page: those decided elsewhere (no longer waiting) leave the selection too, so that
// "3 selected" never counts a photo another tab moved, and a bulk action is not offered for it. One that only moved
// to another page of the queue (newer photos came in before it) stays selected.
async function unselectDecided(ids, view) {
  const { state } = view;
  const gone = await Promise.all(ids.map((id) => api.get(`/api/review/${id}`)
    .then((d) => !d.review || d.item.location !== 'review', (err) => err.status === 404)));
  let changed = false;
  ids.forEach((id, i) => { if (gone[i] && state.selected.delete(id)) changed = true; });
  if (changed && state.mode === 'grid') view.redrawGrid();
}

function showPosition(card, position, total) {
  const label = card.querySelector('[data-testid="position"]');
  if (label) label.textContent = `${position} of ${total}`;
  const next = card.querySelector('button[aria-label="Next"]');
  if (next) next.disabled = position >= total;
}

// The photo on screen is no longer waiting here: its buttons stop (nothing would change: the server answers 409).
function decidedElsewhere(card, label, onNext) {
  for (const b of card.querySelectorAll('button, input, select, textarea')) b.disabled = true;
  // Its place in the queue is gone with it (the chips count without it).
  const position = card.querySelector('[data-testid="position"]');
  if (position) position.textContent = 'no longer in the queue';
  const next = h('button', { type: 'button', class: 'primary', onclick: () => onNext() }, label);
  const notice = h('div', { class: 'notice', role: 'status', dataset: { testid: 'decided-elsewhere' } },
    'This photo was decided meanwhile, in another window or by another reviewer; it is no longer waiting here.',
    ' ', next);
  card.querySelector('.details').prepend(notice);
  // Its buttons do nothing now: on a phone their bar along the bottom edge would cover the one way on.
  const bar = card.querySelector('.actions');
  if (bar) bar.hidden = true;
  notice.scrollIntoView({ block: 'nearest' });
}
