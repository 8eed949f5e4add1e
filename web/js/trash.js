// The trash: rejected photos until they are purged, each with "Restore" (back where it came from: its review folder,
// or its library folder for a photo the library held) and "Delete now".
import { api, qs } from './api.js';
import { h, remount, toast, confirmDialog, itemImage, formatTime, categoryLabel, plural, tileName } from './dom.js';
import { offerUndo, attachUndoPage } from './undo.js';

const unstop = (text) => String(text).replace(/\.$/, '');

// Moves a rejected item back where it came from; resolves with the restored item (or null after an error, already shown). The
// toast's Undo (or Ctrl-Z) sends it back to the trash.
export async function restoreFromTrash(item) {
  try {
    const out = await api.post(`/api/trash/${item.id}/restore`);
    offerUndo(`Restored ${item.file_name} to ${out.item.folder}.`, out.undo, 'trash');
    return out.item;
  } catch (err) {
    toast(`Could not restore ${item.file_name}: ${unstop(err.message)}.`, 'error');
    return null;
  }
}

// Where a trashed photo came from, as far as the item says: a review category, or a person's library folder (a
// duplicate's original that its better copy replaced).
function fromLabel(item) {
  if (item.category) return categoryLabel(item.category);
  return item.person ? `Library · ${item.person}` : 'Library';
}

// When a rejected photo leaves the trash: the retention comes from the settings; the purge itself is a command,
// so the page names it rather than promise a deletion that nothing runs by itself.
function retentionText(days) {
  const command = h('code', {}, 'triage review purge');
  const when = Number.isInteger(days)
    ? [`Photos rejected more than ${plural(days, 'day')} ago are deleted for good when the trash is purged (`, command,
      ', e.g. from a daily cron job); until then they stay here.']
    : ['Rejected photos stay here until the trash is purged (', command, ').'];
  return [...when, ' Restore puts a photo back where it came from: its review folder, or its library folder.'];
}

export async function renderTrash(root, _params, { session, signal }) {
  const canReview = !!session.permissions.review;
  const state = { page: 1, perPage: 60 };

  // A keyboard user goes on where they were: after a photo leaves the page, the focus goes to the photo that took its
  // place in the grid (or the one before it, or the page's heading when none is left), not back to the top.
  const placeOf = (el) => [...root.querySelectorAll('[data-testid="trash-item"]')]
    .indexOf(el.closest('[data-testid="trash-item"]'));
  function focusNear(at) {
    if (at < 0) return;
    const tiles = root.querySelectorAll('[data-testid="trash-item"]');
    const tile = tiles[Math.min(at, tiles.length - 1)];
    const target = tile ? tile.querySelector('button:not([disabled])') : root.querySelector('h1');
    if (!target) return;
    if (!tile) target.setAttribute('tabindex', '-1');
    target.focus();
  }

  async function purge(item, at = -1) {
    const ok = await confirmDialog(`Delete ${item.file_name} for good?`,
      ['The file is deleted from the library now; this cannot be undone.'], 'Delete for good');
    if (!ok) return;
    try {
      await api.post(`/api/trash/${item.id}/purge`);
      toast(`Deleted ${item.file_name} for good.`);
    } catch (err) {
      toast(`Could not delete ${item.file_name} for good: ${unstop(err.message)}.`, 'error');
    }
    await draw().catch(() => {});   // the page as it was stays; the toast said why
    focusNear(at);
  }

  function tile(item) {
    return h('article', { class: 'tile trash-tile', dataset: { testid: 'trash-item', itemId: item.id } },
      itemImage(item, 320, { loading: 'lazy' }),
      tileName(item.file_name),
      h('span', { class: 'tile-cat' }, `${fromLabel(item)} · ${formatTime(item.updated_at)}`),
      canReview ? h('div', { class: 'actions' },
        h('button', { type: 'button', dataset: { testid: 'restore' }, 'aria-label': `Restore ${item.file_name}`,
          onclick: async (e) => {   // disabled while on its way: a double click restores once
            const button = e.currentTarget;
            const at = placeOf(button);
            button.disabled = true;
            try {
              if (await restoreFromTrash(item)) { await draw(); focusNear(at); }
            } finally { button.disabled = false; }
          } }, 'Restore'),
        // Deleting for good what another user moved here is for a role that may undo others' changes: the button is
        // not offered where the server would refuse it, and the tile says whose it is.
        item.may_purge === false ? null : h('button', { type: 'button', class: 'danger', dataset: { testid: 'purge' },
          'aria-label': `Delete now: ${item.file_name}`, onclick: (e) => purge(item, placeOf(e.currentTarget)) },
        'Delete now'),
        item.may_purge === false ? h('span', { class: 'small muted', dataset: { testid: 'purge-not-yours' } },
          `Moved here by ${item.trashed_by}: only they or an admin can delete it for good.`) : null) : null);
  }

  async function draw() {
    const [out, config] = await Promise.all([api.get('/api/items' + qs({ location: 'trash', sort: 'changed',
      page: state.page, per_page: state.perPage })), api.get('/api/config').catch(() => null)]);
    state.days = config?.review?.trash_retention_days;
    if (signal.aborted) return;
    const pages = Math.max(1, Math.ceil(out.total / state.perPage));
    remount(root, h('section', {},
      h('div', { class: 'page-head' }, h('h1', {}, 'Trash'),
        h('p', { class: 'muted', dataset: { testid: 'trash-count' } }, plural(out.total, 'photo'))),
      h('p', { class: 'muted', dataset: { testid: 'trash-retention' } }, ...retentionText(state.days)),
      out.items.length ? h('div', { class: 'grid' }, out.items.map(tile))
        : h('div', { class: 'card empty' }, h('h2', {}, 'The trash is empty')),
      pages > 1 ? h('div', { class: 'pager' },
        h('button', { type: 'button', 'aria-label': 'Previous page', disabled: state.page <= 1,
          onclick: () => { state.page--; draw(); } }, '←'),
        h('span', {}, `page ${state.page} of ${pages}`),
        h('button', { type: 'button', 'aria-label': 'Next page', disabled: state.page >= pages,
          onclick: () => { state.page++; draw(); } }, '→')) : null));
  }
  attachUndoPage('trash', draw, signal);
  await draw();
}
