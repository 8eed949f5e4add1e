// The review queue: category chips, one card at a time (with side-by-side for duplicates) or a grid for bulk work.
import { api, qs } from './api.js';
import { h, mount, formatBytes, formatTime, categoryLabel, toast } from './dom.js';

const CATEGORIES = ['duplicates', 'near_duplicates', 'unidentified', 'low_confidence', 'multiple_faces',
  'unwanted_person', 'low_quality', 'unreadable'];
const NEW_PERSON = '__new__';

export async function renderReview(root, params, { session }) {
  const state = {
    category: CATEGORIES.includes(params[0]) ? params[0] : '',
    sort: 'oldest', mode: 'single', page: 1, perPage: 50, index: 0,
    items: [], total: 0, counts: {}, totalPending: 0, persons: [], selected: new Set(),
  };
  const canReview = !!session.permissions.review;

  async function load() {
    const path = state.category ? `/api/review/queue/${state.category}` : '/api/review/queue';
    const page = await api.get(path + qs({ page: state.page, per_page: state.perPage, sort: state.sort }));
    if (page.items.length === 0 && state.page > 1) { state.page = Math.max(1, page.pages); return load(); }
    Object.assign(state, { items: page.items, total: page.total, counts: page.counts, totalPending: page.total_pending });
    state.index = Math.min(state.index, Math.max(0, state.items.length - 1));
  }
  async function loadPersons() { state.persons = (await api.get('/api/persons')).persons.map((p) => p.name); }

  async function refresh() { await load(); render(); }

  function chips() {
    const chip = (cat, label, n) => h('button', {
      type: 'button', class: `chip${state.category === cat ? ' active' : ''}`, dataset: { category: cat || 'all' },
      onclick: () => { location.hash = cat ? `#/review/${cat}` : '#/review'; },
    }, label, h('span', { class: 'count' }, n));
    return h('div', { class: 'chips', role: 'toolbar', 'aria-label': 'Categories' },
      chip('', 'All', state.totalPending),
      CATEGORIES.filter((c) => state.counts[c] > 0 || state.category === c)
        .map((c) => chip(c, categoryLabel(c), state.counts[c] || 0)));
  }

  function toolbar() {
    const upload = h('input', { type: 'file', multiple: true, accept: 'image/*', hidden: true, onchange: async () => {
      const form = new FormData();
      for (const f of upload.files) form.append('files', f, f.name);
      try {
        const out = await api.upload('/api/ingest', form);
        toast(`${out.placed} photo(s) added, ${out.failed} failed.`);
        await refresh();
      } catch (err) { toast(err.message, 'error'); }
    } });
    return h('div', { class: 'toolbar' },
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'View' },
        h('button', { type: 'button', class: state.mode === 'single' ? 'active' : '', onclick: () => setMode('single') },
          'One by one'),
        h('button', { type: 'button', class: state.mode === 'grid' ? 'active' : '', dataset: { testid: 'grid-mode' },
          onclick: () => setMode('grid') }, 'Select several')),
      h('label', { class: 'inline' }, 'Order ', h('select', { onchange: (e) => { state.sort = e.target.value;
        state.page = 1; state.index = 0; refresh(); } },
      h('option', { value: 'oldest', selected: state.sort === 'oldest' }, 'Oldest first'),
      h('option', { value: 'newest', selected: state.sort === 'newest' }, 'Newest first'))),
      canReview ? h('button', { type: 'button', onclick: () => upload.click() }, 'Add photos…') : null, upload);
  }

  function setMode(mode) {
    state.mode = mode;
    state.perPage = mode === 'grid' ? 60 : 50;
    state.page = 1; state.index = 0; state.selected.clear();
    refresh();
  }

  function personPicker(suggested, testid) {
    const select = h('select', { dataset: { testid: `${testid}-select` }, 'aria-label': 'Person' },
      h('option', { value: '' }, 'choose…'),
      state.persons.map((p) => h('option', { value: p, selected: p === suggested }, p)),
      h('option', { value: NEW_PERSON }, 'new person…'));
    const input = h('input', { placeholder: 'new person…', dataset: { testid: `${testid}-new` }, 'aria-label': 'New person',
      oninput: () => { if (input.value) select.value = NEW_PERSON; } });
    select.addEventListener('change', () => { if (select.value === NEW_PERSON) input.focus(); });
    const value = () => (input.value.trim() || (select.value !== NEW_PERSON ? select.value : ''));
    return { el: h('span', { class: 'person-picker' }, select, h('span', { class: 'muted' }, ' or '), input), value };
  }

  function meta(item) {
    const row = (k, v) => [h('dt', {}, k), h('dd', {}, v)];
    return h('dl', { class: 'meta' },
      row('File', item.file_name), row('Size', formatBytes(item.size_bytes)),
      row('Resolution', item.width ? `${item.width} × ${item.height}` : '–'),
      row('Taken', item.taken_at || '–'), row('Downloaded', formatTime(item.created_at)),
      row('Source', item.url ? h('span', { title: item.url }, item.source) : item.source || '–'),
      item.quality && item.quality.sharpness > 0 ? row('Sharpness', item.quality.sharpness.toFixed(0)) : null);
  }

  function figure(item, caption, testid) {
    return h('figure', { class: 'photo', dataset: { testid } },
      h('a', { href: item.original_url, target: '_blank', rel: 'noopener' },
        h('img', { src: `${item.thumbnail_url}?size=640`, alt: item.file_name })),
      h('figcaption', {}, h('strong', {}, caption), meta(item)));
  }

  async function act(action, item, picker) {
    const id = item.id;
    try {
      if (action === 'approve') {
        const person = picker.value();
        if (!person) { toast('Choose who this is, or type a new name.', 'error'); return; }
        const out = await api.post(`/api/review/${id}/approve`, { person });
        toast(`Sorted into ${out.item.person}.`);
        if (!state.persons.includes(out.item.person)) await loadPersons();
      } else if (action === 'reject') {
        await api.post(`/api/review/${id}/reject`);
        toast('Moved to the trash.');
      } else {
        await api.post(`/api/review/${id}/skip`);
        toast('Skipped for later.');
      }
      await refresh();
    } catch (err) { toast(err.message, 'error'); }
  }

  function move(delta) {
    const next = state.index + delta;
    if (next >= 0 && next < state.items.length) { state.index = next; render(); return; }
    const pages = Math.ceil(state.total / state.perPage);
    if (delta > 0 && state.page < pages) { state.page++; state.index = 0; refresh(); }
    if (delta < 0 && state.page > 1) { state.page--; state.index = state.perPage - 1; refresh(); }
  }

  const where = (item) => (item.location === 'library' ? `in faces/${item.person}`
    : item.location === 'review' ? `waiting in ${categoryLabel(item.category).toLowerCase()}` : 'in the trash');

  let current = null;  // {item, picker} for keyboard shortcuts
  async function single(body) {
    const item = state.items[state.index];
    if (!item) { current = null; return mount(body, emptyQueue()); }
    const detail = await api.get(`/api/review/${item.id}`);
    const picker = personPicker(item.person || '', 'person');
    current = { item, picker };
    const position = (state.page - 1) * state.perPage + state.index + 1;
    const dup = detail.duplicate_of;
    const media = dup
      ? h('div', { class: 'side-by-side', dataset: { testid: 'side-by-side' } },
        figure(item, 'New image', 'new-image'), figure(dup, `The photo it duplicates: item ${dup.id}, ${where(dup)}`,
          'existing-image'))
      : figure(item, '', 'photo');
    mount(body, h('article', { class: 'review-card card', dataset: { testid: 'review-card', itemId: item.id } },
      media,
      h('div', { class: 'details' },
        h('span', { class: `badge cat-${item.category}` }, categoryLabel(item.category)),
        h('p', { class: 'reason', dataset: { testid: 'reason' } }, item.reason),
        dup ? null : meta(item),
        canReview ? [
          h('div', { class: 'person-row' }, h('span', {}, 'This is: '), picker.el),
          h('div', { class: 'actions' },
            h('button', { type: 'button', class: 'primary', dataset: { testid: 'approve' },
              onclick: () => act('approve', item, picker) }, 'Approve & sort', h('kbd', {}, 'a')),
            h('button', { type: 'button', class: 'danger', dataset: { testid: 'reject' },
              onclick: () => act('reject', item, picker) }, 'Delete', h('kbd', {}, 'd')),
            h('button', { type: 'button', dataset: { testid: 'skip' }, onclick: () => act('skip', item, picker) },
              'Skip', h('kbd', {}, 's')))] : h('p', { class: 'muted' }, 'Your role may look but not decide.'),
        h('div', { class: 'pager' },
          h('button', { type: 'button', onclick: () => move(-1), disabled: position <= 1, 'aria-label': 'Previous' },
            '←'),
          h('span', { dataset: { testid: 'position' } }, `${position} of ${state.total}`),
          h('button', { type: 'button', onclick: () => move(1), disabled: position >= state.total, 'aria-label': 'Next' },
            '→')))));
  }

  function emptyQueue() {
    return h('div', { class: 'card empty' }, h('h2', {}, 'Nothing to review'),
      h('p', { class: 'muted' }, state.category ? `No ${categoryLabel(state.category).toLowerCase()} waiting.`
        : 'Every photo has found its place.'));
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

  async function bulk(action, picker) {
    const ids = [...state.selected];
    if (!ids.length) { toast('Select some photos first.', 'error'); return; }
    const body = { ids, action };
    if (action === 'approve') {
      body.person = picker.value();
      if (!body.person) { toast('Choose who these are, or type a new name.', 'error'); return; }
    }
    try {
      const out = await api.post('/api/review/bulk', body);
      toast(`${out.succeeded} done${out.failed ? `, ${out.failed} failed` : ''}.`, out.failed ? 'error' : 'info');
      state.selected.clear();
      if (action === 'approve') await loadPersons();
      await refresh();
    } catch (err) { toast(err.message, 'error'); }
  }

  function grid(body) {
    current = null;
    if (!state.items.length) return mount(body, emptyQueue());
    const picker = personPicker('', 'bulk-person');
    const count = h('span', { dataset: { testid: 'selected-count' } }, `${state.selected.size} selected`);
    const tiles = state.items.map((item) => {
      const box = h('input', { type: 'checkbox', checked: state.selected.has(item.id), 'aria-label': item.file_name,
        onchange: () => {
          if (box.checked) state.selected.add(item.id); else state.selected.delete(item.id);
          tile.classList.toggle('selected', box.checked);
          count.textContent = `${state.selected.size} selected`;
        } });
      const tile = h('label', { class: `tile${state.selected.has(item.id) ? ' selected' : ''}`,
        dataset: { testid: 'tile', itemId: item.id, category: item.category } },
      box, h('img', { src: `${item.thumbnail_url}?size=320`, alt: item.file_name, loading: 'lazy' }),
      h('span', { class: 'tile-name' }, item.file_name), h('span', { class: 'tile-cat' }, categoryLabel(item.category)));
      return tile;
    });
    const pages = Math.ceil(state.total / state.perPage);
    mount(body,
      h('div', { class: 'bulk-bar card' }, count,
        canReview ? [h('span', {}, 'These are: '), picker.el,
          h('button', { type: 'button', class: 'primary', dataset: { testid: 'bulk-approve' },
            onclick: () => bulk('approve', picker) }, 'Approve selected'),
          h('button', { type: 'button', class: 'danger', dataset: { testid: 'bulk-reject' },
            onclick: () => bulk('reject', picker) }, 'Delete selected')] : null,
        h('button', { type: 'button', dataset: { testid: 'bulk-export' }, onclick: () => exportList()
          .catch((e) => toast(e.message, 'error')) }, 'Export list')),
      h('div', { class: 'grid' }, tiles),
      pages > 1 ? h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: state.page <= 1, onclick: () => { state.page--; refresh(); } }, '←'),
        h('span', {}, `page ${state.page} of ${pages}`),
        h('button', { type: 'button', disabled: state.page >= pages, onclick: () => { state.page++; refresh(); } },
          '→')) : null);
  }

  const body = h('div', { class: 'review-body' });
  function render() {
    mount(root, h('section', { class: 'review' }, chips(), toolbar(), body));
    (state.mode === 'grid' ? Promise.resolve(grid(body)) : single(body)).catch((err) => toast(err.message, 'error'));
  }

  function onKey(e) {
    if (!current || e.ctrlKey || e.metaKey || e.altKey) return;
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement && document.activeElement.tagName)) return;
    const keys = { a: 'approve', d: 'reject', s: 'skip' };
    if (keys[e.key] && canReview) { e.preventDefault(); act(keys[e.key], current.item, current.picker); }
    if (e.key === 'ArrowLeft') { e.preventDefault(); move(-1); }
    if (e.key === 'ArrowRight') { e.preventDefault(); move(1); }
  }
  document.addEventListener('keydown', onKey);

  await Promise.all([load(), loadPersons()]);
  render();
  return () => document.removeEventListener('keydown', onKey);
}
