// The audit log: who did what to which item, when, from where to where, and why.
import { api, qs } from './api.js';
import { h, mount, formatTime } from './dom.js';

export async function renderAudit(root) {
  const state = { page: 1, actor: '', itemId: '' };
  async function draw() {
    const out = await api.get('/api/audit' + qs({ page: state.page, per_page: 50, actor: state.actor,
      item_id: state.itemId }));
    const actor = h('input', { value: state.actor, placeholder: 'actor', 'aria-label': 'Actor' });
    const item = h('input', { value: state.itemId, placeholder: 'item id', inputmode: 'numeric', 'aria-label': 'Item id' });
    const filters = h('form', { class: 'inline-form', onsubmit: (e) => {
      e.preventDefault();
      Object.assign(state, { actor: actor.value.trim(), itemId: item.value.trim(), page: 1 });
      draw().catch((err) => mount(root, h('p', { class: 'form-error' }, err.message)));
    } }, actor, item, h('button', { type: 'submit' }, 'Filter'));
    const rows = out.entries.map((e) => h('tr', { dataset: { testid: 'audit-row', action: e.action } },
      h('td', {}, formatTime(e.at)), h('td', {}, e.actor), h('td', {}, e.action),
      h('td', {}, e.item_id ? h('a', { href: `/api/items/${e.item_id}/original`, target: '_blank' }, e.item_id) : ''),
      h('td', { class: 'mono' }, e.from || ''), h('td', { class: 'mono' }, e.to || ''), h('td', {}, e.reason)));
    mount(root, h('section', {},
      h('div', { class: 'page-head' }, h('h1', {}, 'Audit log'), filters),
      h('div', { class: 'card scroll' }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['When', 'Actor', 'Action', 'Item', 'From', 'To', 'Reason'].map((c) => h('th', {}, c)))),
        h('tbody', {}, rows))),
      h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: state.page <= 1, onclick: () => { state.page--; draw(); } }, '←'),
        h('span', {}, `page ${state.page}`),
        h('button', { type: 'button', disabled: out.entries.length < 50, onclick: () => { state.page++; draw(); } },
          '→'))));
  }
  await draw();
}
