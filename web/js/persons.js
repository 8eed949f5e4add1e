// Enrolled persons (the People section's second tab): who is enrolled, their cover image, reference faces (each
// removable, undoable) and recent photos (an admin may propose one as the cover), whitelist / blacklist switches, and
// for admins Remove (undoable).
import { api } from './api.js';
import { h, mount, remount, toast, referenceFace, peopleTabs, once, plural, personName, confirmDialog } from './dom.js';
import { offerUndo, attachUndoPage } from './undo.js';

// What a whitelist now does, said with the change: one switch turned on stops the automatic sorting of everybody else.
function listEffect(list, names) {
  if (list !== 'whitelist') return '.';
  if (!names.length) return ': it is empty, so every recognised person is sorted automatically.';
  return `: only ${names.map(personName).join(', ')} ${names.length === 1 ? 'is' : 'are'} sorted automatically now; photos of anybody ` +
    'else go to review.';
}

const unstop = (text) => String(text).replace(/\.$/, '');

export async function renderPersons(root, _params, { session, signal }) {
  const canEdit = !!session.permissions.change_config;
  const canEnrol = !!session.permissions.manage_persons;
  const canPropose = !!session.permissions.decide_proposals;


  async function setList(list, name, on) {
    const config = await api.get('/api/config');
    const names = new Set(config[list]);
    if (on) names.add(name); else names.delete(name);
    const out = await api.put(`/api/config/${list}`, { names: [...names] });
    // A person is on one list at most: put on one, they leave the other, and that is said (an emptied whitelist
    // sorts everybody automatically again).
    const other = list === 'whitelist' ? 'blacklist' : 'whitelist';
    const before = config[other] || [];
    const left = on && before.includes(name);
    const rest = out[other] || before.filter((n) => n !== name);
    const effect = left
      ? `; ${personName(name)} left the ${other}${other === 'whitelist' ? listEffect(other, rest) : '.'}`
      : listEffect(list, out[list]);
    offerUndo(`${personName(name)} ${on ? 'added to' : 'removed from'} the ${list}${effect}`, out.undo, 'persons');
    await draw();
  }

  async function removeReference(person, ref) {
    try {
      const out = await api.post(`/api/persons/${encodeURIComponent(person)}/references/${ref.id}/remove`);
      offerUndo(`Removed a reference face of ${personName(person)}.`, out.undo, 'persons');
    } catch (err) { toast(`Could not remove the reference face of ${personName(person)}: ${unstop(err.message)}.`, 'error'); }
    await draw();
  }

  // The face itself: cut out of its photo's thumbnail by the stored box, or the picture cut out of the file it was
  // enrolled from; else where it came from.
  function referenceCrop(ref) {
    const from = ref.item ? ref.item.file_name : ref.source.split('/').pop();
    return referenceFace(ref, 72, from || 'enrolled');
  }

  // A person's reference faces, loaded with the card.
  function referenceFaces(p) {
    const list = h('div', { class: 'ref-faces', dataset: { testid: `references-${p.name}` } },
      h('span', { class: 'muted small' }, 'Loading reference faces…'));
    api.get(`/api/persons/${encodeURIComponent(p.name)}/references`).then(({ references }) => {
      if (!references.length) {
        mount(list, h('p', { class: 'muted small' }, 'No reference faces yet.'));
        return;
      }
      mount(list, references.map((ref) => h('figure', { class: 'ref-face', dataset: { testid: 'reference', refId: ref.id } },
        referenceCrop(ref),
        canEnrol ? h('button', { type: 'button', class: 'link small', dataset: { testid: 'remove-reference' },
          'aria-label': `Remove reference face ${ref.id} of ${personName(p.name)}`,
          onclick: (e) => once(e.currentTarget.parentElement, () => removeReference(p.name, ref)) },
        'Remove') : null)));
    }).catch((err) => mount(list, h('p', { class: 'muted small' }, err.message)));
    return list;
  }

  // A cover proposal for `p` (decided on the Proposals page, side by side with the cover it would replace).
  async function proposeCover(p, id) {
    try {
      const made = await api.post('/api/proposals', { cover_person: p.name, proposed_item_id: id });
      toast(`Cover proposal ${made.id} made; decide it on the Proposals page.`);
    } catch (err) { toast(`Could not propose a cover for ${personName(p.name)}: ${unstop(err.message)}.`, 'error'); }
  }

  // The person's latest photos, each shown once; for who may decide proposals, each but the cover with a small
  // "Propose as cover" under it.
  function recentPhotos(p) {
    if (!p.recent_items.length) return null;
    const offer = (id) => canPropose && (!p.cover || p.cover.item_id !== id);
    return [h('p', { class: 'small' }, 'Recent photos'),
      h('div', { class: 'recent-photos', dataset: { testid: `recent-${p.name}` } }, p.recent_items.map((id) =>
        h('figure', { class: 'recent-photo', dataset: { testid: 'recent-photo', itemId: id } },
          h('img', { src: `/api/items/${id}/thumbnail?size=160`, alt: `Photo ${id}`, loading: 'lazy' }),
          offer(id) ? h('button', { type: 'button', class: 'link small', dataset: { testid: `propose-cover-${id}` },
            title: `Propose photo #${id} as ${personName(p.name)}'s cover (decided on the Proposals page)`,
            'aria-label': `Propose as cover: photo #${id} for ${personName(p.name)}`,
            onclick: (e) => once(e.currentTarget.parentElement, () => proposeCover(p, id)) }, 'Propose as cover')
            : null)))];
  }

  // The cover fills the card's width (up to 220 px high), cut to its box: its thumbnail is asked for large enough for
  // that box at the screen's density, and once loaded the box is never larger than the picture's own pixels (a small
  // photo is shown at its size, centred, not blown up and blurred).
  function cover(p) {
    if (!p.cover) return null;
    const size = window.devicePixelRatio > 1.25 ? 1280 : 640;
    const img = h('img', { class: 'person-cover', src: `${p.cover.thumbnail_url}?size=${size}`, alt: `${personName(p.name)}'s cover`,
      dataset: { testid: 'person-cover', itemId: p.cover.item_id } });
    img.addEventListener('load', () => {
      img.style.maxWidth = `min(100%, ${img.naturalWidth}px)`;
      img.style.maxHeight = `${Math.min(220, img.naturalHeight)}px`;
    }, { once: true });
    return img;
  }

  // The person's name as shown, with the folder their photos are in when it is written otherwise; an admin may
  // change how it is written (capitals, spaces, dashes: the folder stays).
  function nameHead(p) {
    const shown = p.display_name || p.name;
    const head = h('div', { class: 'person-name' }, h('h2', { dataset: { testid: 'person-name' } }, shown),
      shown !== p.name ? h('p', { class: 'small muted', dataset: { testid: 'person-folder' } }, `faces/${p.name}/`) : null);
    if (!canEnrol) return head;
    const input = h('input', { value: shown, 'aria-label': `How ${shown}'s name is written`, required: true,
      dataset: { testid: 'person-rename-input' } });
    const form = h('form', { class: 'inline-form', hidden: true, onsubmit: (e) => {
      e.preventDefault();
      return once(e.currentTarget, async () => {
        try {
          const out = await api.put(`/api/persons/${encodeURIComponent(p.name)}`, { display_name: input.value });
          toast(`${shown} is now written ${out.person.display_name}.`);
          await draw();
        } catch (err) { toast(`Could not rename ${shown}: ${unstop(err.message)}.`, 'error'); }
      });
    } }, input, h('button', { type: 'submit' }, 'Save'),
    h('button', { type: 'button', onclick: () => { form.hidden = true; edit.hidden = false; } }, 'Cancel'),
    // Said before Save, not learnt from a refusal after it.
    h('p', { class: 'small muted form-hint' }, 'Capitals, spaces, dashes and accents only: the folder stays ' +
      `faces/${p.name}/. Another name is another person: move the faces to them on the Face clusters page.`));
    const edit = h('button', { type: 'button', class: 'link', dataset: { testid: 'person-rename' },
      title: 'Change capitals, spaces or dashes; a different name is a different person (name them on the People page)',
      'aria-label': `Edit spelling of ${personName(p.name)}`,
      onclick: () => { form.hidden = false; edit.hidden = true; input.focus(); input.select(); } }, 'Edit spelling');
    return h('div', {}, head, edit, form);
  }

  // Removing a person (as `triage person remove`), asked first with what it does and what it leaves; undoable.
  async function removePerson(p) {
    const shown = personName(p.name);
    const list = p.whitelisted ? 'whitelist' : p.blacklisted ? 'blacklist' : '';
    const ok = await confirmDialog(`Remove ${shown}?`, [
      `${shown} disappears from the person pickers and from this list${list ? ` and comes off the ${list}` : ''}; ` +
        (p.references ? `their ${plural(p.references, 'reference face')} ${p.references === 1 ? 'is' : 'are'} ` +
          'forgotten, so new photos of them are no longer sorted automatically.' : 'they have no reference faces yet.'),
      p.photos ? `The ${plural(p.photos, 'photo')} already sorted into faces/${p.name}/ ${p.photos === 1 ? 'stays where it is' : 'stay where they are'}.`
        : 'No photos are sorted under them; nothing moves.',
      'Undo brings them back.'], `Remove ${shown}`);
    if (!ok) return;
    try {
      const out = await api.del(`/api/persons/${encodeURIComponent(p.name)}`);
      offerUndo(`Removed ${shown}${p.photos ? `; their photos stay in faces/${p.name}/` : ''}.`, out.undo, 'persons');
    } catch (err) { toast(`Could not remove ${shown}: ${unstop(err.message)}.`, 'error'); }
    await draw();
  }

  function removeButton(p) {
    if (!canEnrol) return null;
    return h('div', { class: 'person-remove' }, h('button', { type: 'button',
      dataset: { testid: 'person-remove' }, 'aria-label': `Remove person ${personName(p.name)}`,
      onclick: (e) => once(e.currentTarget.parentElement, () => removePerson(p)) }, 'Remove person'));
  }

  function personCard(p) {
    const toggle = (list, checked) => h('label', { class: 'switch' },
      h('input', { type: 'checkbox', checked, disabled: !canEdit, dataset: { testid: `${list}-${p.name}` },
        // Named with the person: a screen reader lists every card's switches together.
        'aria-label': `${list === 'whitelist' ? 'Whitelist' : 'Blacklist'} ${personName(p.name)}`,
        onchange: (e) => {
          const on = e.target.checked;
          setList(list, p.name, on).catch((err) => {
            // Not saved: the switch goes back to what the list holds, and the toast says whose change failed.
            e.target.checked = !on;
            toast(`Could not ${on ? `add ${personName(p.name)} to` : `take ${personName(p.name)} off`} the ${list}: ${unstop(err.message)}.`, 'error');
          });
        } }),
      list === 'whitelist' ? 'Whitelist' : 'Blacklist');
    return h('article', { class: 'card person', dataset: { testid: 'person', name: p.name } },
      nameHead(p), cover(p),
      h('p', { class: 'muted' }, `${plural(p.photos, 'photo')} · ${plural(p.references, 'reference face')}`),
      h('p', { class: 'small' }, 'Reference faces'), referenceFaces(p),
      recentPhotos(p),
      h('div', { class: 'switches' }, toggle('whitelist', p.whitelisted), toggle('blacklist', p.blacklisted)),
      removeButton(p));
  }

  async function draw() {
    const { persons } = await api.get('/api/persons');
    if (signal.aborted) return;   // another page opened meanwhile: its content stays
    const name = h('input', { placeholder: 'Name', 'aria-label': 'New person name', dataset: { testid: 'new-person-name' } });
    // Once per submission: a double click sends one request (a second one would answer "enrolled already").
    const form = canEnrol ? h('form', { class: 'inline-form', novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      if (!name.value.trim()) {  // empty or only spaces: said, not silently ignored
        toast('Type the new person\'s name first.', 'error');
        name.focus();
        return undefined;
      }
      return once(e.currentTarget, async () => {
        try {
          const out = await api.post('/api/persons', { name: name.value });
          // Added, not enrolled: nobody's face is known until reference faces come (approvals, named faces, `person add`).
          offerUndo(`Added ${out.person.display_name || out.person.name} — no reference faces yet; approve or name ` +
            'photos of them to teach their face.', out.undo, 'persons');
          await draw();
        }
        catch (err) { toast(`Could not add ${name.value.trim() || 'the person'}: ${unstop(err.message)}.`, 'error'); }
      });
    } }, name, h('button', { type: 'submit' }, 'Add person')) : null;
    // The list is drawn again after each change, and its reference faces and covers load after it: until they are in,
    // the page keeps its height, so that it does not scroll away from under the pointer (and a second click of a
    // double click does not land on another person's button).
    root.style.minHeight = `${root.offsetHeight}px`;
    setTimeout(() => { root.style.minHeight = ''; }, 1500);
    remount(root, h('section', {}, peopleTabs('enrolled'),
      h('div', { class: 'page-head' }, h('h1', {}, 'Enrolled persons'), form),
      h('p', { class: 'muted' }, 'Reference faces are learnt from approved single-face photos and named faces, or ' +
        'enrolled from photo files with ', h('code', {}, 'triage person add'), '. With a whitelist, only those persons ' +
        'are sorted automatically; blacklisted persons always go to review.'),
      canEdit ? null : h('p', { class: 'muted', dataset: { testid: 'lists-read-only' } }, 'Your role may see the ' +
        'whitelist and blacklist but not change them: an admin switches them here or on Settings.'),
      persons.length ? h('div', { class: 'persons' }, persons.map(personCard))
        : h('div', { class: 'card empty' }, 'Nobody is enrolled yet. Approving a photo as a new person enrols them.')));
  }
  attachUndoPage('persons', draw, signal);
  await draw();
}
