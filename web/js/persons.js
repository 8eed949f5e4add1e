// Persons: who is enrolled, their reference faces and recent photos, and whitelist / blacklist switches.
import { api } from './api.js';
import { h, mount, toast } from './dom.js';

export async function renderPersons(root, _params, { session }) {
  const canEdit = !!session.permissions.change_config;
  const canEnrol = !!session.permissions.manage_persons;

  async function setList(list, name, on) {
    const config = await api.get('/api/config');
    const names = new Set(config[list]);
    if (on) names.add(name); else names.delete(name);
    await api.put(`/api/config/${list}`, { names: [...names] });
    toast(`${name} ${on ? 'added to' : 'removed from'} the ${list}.`);
    await draw();
  }

  function thumbs(ids, label) {
    if (!ids.length) return null;
    return h('div', { class: 'thumb-row', 'aria-label': label },
      ids.map((id) => h('img', { src: `/api/items/${id}/thumbnail?size=160`, alt: `${label} ${id}`, loading: 'lazy' })));
  }

  function personCard(p) {
    const toggle = (list, checked) => h('label', { class: 'switch' },
      h('input', { type: 'checkbox', checked, disabled: !canEdit, dataset: { testid: `${list}-${p.name}` },
        onchange: (e) => setList(list, p.name, e.target.checked).catch((err) => toast(err.message, 'error')) }),
      list === 'whitelist' ? 'Whitelist' : 'Blacklist');
    return h('article', { class: 'card person', dataset: { testid: 'person', name: p.name } },
      h('h2', {}, p.name),
      h('p', { class: 'muted' }, `${p.photos} photo(s) · ${p.references} reference face(s)`),
      thumbs(p.reference_items, 'Reference faces') || h('p', { class: 'muted small' }, 'No reference faces from the library yet.'),
      p.recent_items.length ? [h('p', { class: 'small' }, 'Recent photos'), thumbs(p.recent_items, 'Photo')] : null,
      h('div', { class: 'switches' }, toggle('whitelist', p.whitelisted), toggle('blacklist', p.blacklisted)));
  }

  async function draw() {
    const { persons } = await api.get('/api/persons');
    const name = h('input', { placeholder: 'Name', 'aria-label': 'New person name', required: true });
    const form = canEnrol ? h('form', { class: 'inline-form', onsubmit: async (e) => {
      e.preventDefault();
      try { await api.post('/api/persons', { name: name.value }); toast('Enrolled.'); await draw(); }
      catch (err) { toast(err.message, 'error'); }
    } }, name, h('button', { type: 'submit' }, 'Add person')) : null;
    mount(root, h('section', {},
      h('div', { class: 'page-head' }, h('h1', {}, 'Persons'), form),
      h('p', { class: 'muted' }, 'Reference faces are learnt from approved single-face photos. With a whitelist, only ' +
        'those persons are sorted automatically; blacklisted persons always go to review.'),
      persons.length ? h('div', { class: 'persons' }, persons.map(personCard))
        : h('div', { class: 'card empty' }, 'Nobody is enrolled yet. Approving a photo as a new person enrols them.')));
  }
  await draw();
}
