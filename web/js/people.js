// People: face clusters by size (name once, merge with suggestions, split, not this person, hide) and, per person, a
// face audit grid sorted by distance from their centre (outliers first) with bulk remove / not this person / reassign.
// Every action answers with an Undo button, and Ctrl-Z takes the actions back one by one, newest first.
import { api } from './api.js';
import { h, mount, remount, toast, peopleTabs, personKeyOf, personName, confirmDialog, once, plural } from './dom.js';
import { rememberDecision, peopleActionToken, undoOffer } from './review_undo.js';
import { attachUndoPage } from './undo.js';

const CROP = 96;

// A face's crop; a toggle that selects it for the cluster tools when `selectable` (a role that manages persons), else
// just the picture (selecting faces nothing can act on would only mislead).
function faceImage(face, selected, onToggle, extra = null, selectable = true) {
  const img = h('img', { src: `/api/faces/${face.id}/crop?size=${CROP}`, alt: `Face ${face.id}`, loading: 'lazy',
    width: CROP, height: CROP });
  if (!selectable) {
    return h('span', { class: 'face', title: `Face ${face.id} (photo ${face.item_id})`, dataset: { testid: 'face', id: face.id } },
      img, extra);
  }
  return h('button', { type: 'button', class: `face${selected.has(face.id) ? ' selected' : ''}`,
    'aria-pressed': selected.has(face.id) ? 'true' : 'false', title: `Face ${face.id} (photo ${face.item_id})`,
    dataset: { testid: 'face', id: face.id },
    onclick: (e) => {
      if (selected.has(face.id)) selected.delete(face.id); else selected.add(face.id);
      e.currentTarget.classList.toggle('selected', selected.has(face.id));
      e.currentTarget.setAttribute('aria-pressed', selected.has(face.id) ? 'true' : 'false');
      if (onToggle) onToggle();
    } }, img, extra);
}

// Runs a people action, reports it with an Undo button, then redraws. `message` is a text or a function of the
// server's outcome; `done`, when given, runs once the action succeeded, before the redraw.
async function act(promise, message, redraw, done = null) {
  try {
    const outcome = await promise;
    if (done) done(outcome);
    // Where the photos went, folder by folder ("2 to faces/ada, 1 to review/unidentified").
    const counts = new Map();
    for (const folder of outcome.moved_to || []) counts.set(folder, (counts.get(folder) || 0) + 1);
    const where = [...counts].map(([folder, n]) => `${n} to ${folder}`).join(', ');
    const moved = outcome.moved_items && outcome.moved_items.length
      ? ` ${plural(outcome.moved_items.length, 'photo')} moved: ${where}.` : '';
    const said = typeof message === 'function' ? message(outcome) : message;
    // On the tab's undo list: the toast's Undo and Ctrl-Z take it back (review_undo.js), then the page is drawn anew.
    const entry = rememberDecision(peopleActionToken(outcome.action_id), said, 0, 'people');
    toast(`${said}.${moved}`, 'info', undoOffer(entry));
  } catch (err) {
    toast(err.message, 'error');
  }
  await redraw();
}

// Whether cluster `o` may be merged into `c` (or `c` into `o`): two clusters named as different persons are not.
const mergesWith = (c, o) => !c.person || !o.person || o.person === c.person;
// A named cluster with no other to merge with: every other one is named as somebody else.
const mergesWithNone = (c, all) => !!c.person && all.length > 1 && all.every((o) => o.id === c.id || !mergesWith(c, o));

function clusterCard(c, all, personIds, canManage, redraw) {
  const selected = new Set();
  // Named as a person removed since (Enrolled persons → Remove): said, and naming it again re-enrols them.
  const removed = !!c.person && c.person_enrolled === false;
  // Which cluster a button acts on, for a screen reader that lists every card's buttons together.
  const clusterWords = c.person ? `${personName(c.person)}'s cluster` : `cluster ${c.id}`;
  const title = c.person ? `${personName(c.person)}${removed ? ' (removed: name this cluster to enrol them again)' : ''}`
    : 'Unnamed';
  // A named cluster's faces go to another person under the name typed: a new person unless somebody has that name
  // (then the two join). The person they leave stays, with the reference faces enrolled from elsewhere.
  const name = h('input', { placeholder: c.person ? 'Move these faces to…' : 'Who is this?',
    'aria-label': c.person ? `Move the faces of cluster ${c.id} to` : `Name cluster ${c.id}`,
    dataset: { testid: 'name-input' }, list: 'people-names' });
  let asking = false;   // a confirmation is open: a second click (a double click) asks nothing more
  const nameForm = h('form', { class: 'inline-form', onsubmit: async (e) => {
    e.preventDefault();
    if (asking) return;
    if (!name.value.trim()) {  // empty or only spaces: said, not silently ignored
      toast(c.person ? 'Type who these faces are first.' : 'Type who this is first.', 'error');
      name.focus();
      return;
    }
    const typed = name.value.trim();
    const form = e.currentTarget;
    // Renaming to someone who exists joins two persons (a merge of two named clusters is refused): asked first.
    const key = personKeyOf(typed);
    const joins = c.person && key !== c.person && key in personIds ? key : '';
    const faces = plural(c.size, 'face');
    asking = true;
    try {
      if (!await confirmMove(typed, joins)) return;
    } finally { asking = false; }
    // Emptied once the name is taken (the redraw keeps what is typed): a refused name stays to be put right.
    // A name typed for somebody enrolled already (in any case or spelling that makes the same folder) adds the
    // faces to that person: said with the person's own name, not as a new person called what was typed.
    const existing = !c.person && key in personIds ? key : '';
    once(form, () => act(api.post(`/api/clusters/${c.id}/name`, { person: typed, rename: !!c.person }),
      (out) => (existing ? `${faces} added to ${personName(existing)}, enrolled already (faces/${existing})`
        : `${c.person ? `${faces} moved from ${personName(c.person)} to` : 'Cluster named'} ${typed}` +
        `${out.person && out.person !== typed ? ` (faces/${out.person})` : ''}`),
      redraw, () => { name.value = ''; }));
  } }, name, h('button', { type: 'submit', dataset: { testid: 'name-button' },
    'aria-label': `${c.person ? 'Move faces of' : 'Name'} ${clusterWords}` }, c.person ? 'Move faces' : 'Name'));
  // Whether moving a named cluster's faces elsewhere is confirmed (true at once for an unnamed cluster, or the same
  // person written otherwise).
  async function confirmMove(typed, joins) {
    if (!c.person || personKeyOf(typed) === c.person) return true;
    const faces = plural(c.size, 'face');
    if (joins) return confirmDialog(`${personName(joins)} exists already`, [`The ${faces} of this cluster of ` +
      `${personName(c.person)} become ${personName(joins)}'s: they join ${personName(joins)}'s cluster, and their ` +
      `photos in faces/${c.person} move to faces/${joins}.`,
    `${personName(c.person)} stays, with the reference faces enrolled from other photos. Undo takes it back.`],
    `Move ${faces} to ${personName(joins)}`, 'primary');
    // Another name is another person: said before the faces leave, since the first person stays.
    return confirmDialog(`Move ${faces} to ${typed}?`, [
      `This moves these ${faces} to a new person, ${typed}: they become ${typed}'s reference faces, and their photos ` +
        `in faces/${c.person}/ move to ${personKeyOf(typed) ? `faces/${personKeyOf(typed)}/` : 'their own folder'}.`,
      `${personName(c.person)} stays, with the reference faces enrolled from other photos and the photos left in ` +
        `faces/${c.person}/. To change only how ${personName(c.person)} is written, edit the name on Enrolled persons.`,
      'Undo takes it back.'], `Move ${faces} to ${typed}`, 'primary');
  }
  // Suggested clusters (close centres, with the distance) first, then every other one; not those that are somebody
  // else (two persons are not merged: renaming one to the other's name joins them, and the form says so).
  const mergeable = (o) => o && mergesWith(c, o);
  const suggestions = c.suggestions.filter((s) => mergeable(all.find((o) => o.id === s.id)));
  const suggested = new Set(suggestions.map((s) => s.id));
  const others = all.filter((o) => o.id !== c.id && !suggested.has(o.id) && mergeable(o));
  const label = (o) => `#${o.id} ${o.person ? personName(o.person) : 'unnamed'} (${o.size})`;
  // Nothing is chosen until the reviewer chooses: a merge into whatever happened to be first is not an accident to have.
  const merge = h('select', { 'aria-label': `Merge cluster ${c.id} into`, dataset: { testid: 'merge-select' } },
    h('option', { value: '' }, 'Merge into…'),
    suggestions.length ? h('optgroup', { label: 'Looks alike' }, suggestions.map((s) => h('option', { value: s.id },
      `${label(all.find((o) => o.id === s.id))} · distance ${s.distance.toFixed(2)}`)))
      : null,
    others.length ? h('optgroup', { label: suggestions.length ? 'Other clusters' : 'Clusters' },
      others.map((o) => h('option', { value: o.id }, label(o)))) : null);
  const mergeForm = suggestions.length + others.length === 0
    ? (all.length > 1 ? h('p', { class: 'muted small', dataset: { testid: 'merge-none' } },
      `Nothing to merge ${personName(c.person)} with: every other cluster is named as somebody else.`) : null)
    : h('form', { class: 'inline-form', onsubmit: async (e) => {
    e.preventDefault();
    if (asking) return;
    if (!merge.value) { toast('Choose the cluster to merge into.', 'error'); merge.focus(); return; }
    const form = e.currentTarget;
    const into = all.find((o) => o.id === Number(merge.value));
    // A merge that gives faces to a person (one side named) files their photos under that person and teaches their
    // faces: asked first, with who and how many. Two unnamed clusters only become one.
    const person = (into && into.person) || c.person;
    if (person) {
      const faces = plural(into && into.person ? c.size : (into ? into.size : 0), 'face');
      asking = true;
      try {
        const target = into ? `cluster ${into.id}${into.person ? ` (${personName(into.person)}, ${plural(into.size, 'face')})`
          : ` (${plural(into.size, 'face')})`}` : `cluster ${merge.value}`;
        if (!await confirmDialog(`Merge cluster ${c.id} into ${target}?`, [
          `${faces} become ${personName(person)}'s: they help recognise ${personName(person)} in new photos, and their ` +
            `photos waiting in review go where the policy sends photos of ${personName(person)}.`,
          'Undo takes it back.'], 'Merge', 'primary')) return;
      } finally { asking = false; }
    }
    once(form, () => act(api.post(`/api/clusters/${c.id}/merge`, { into: Number(merge.value) }),
      `Cluster ${c.id} merged into #${merge.value}${into && into.person ? ` ${personName(into.person)}` : ''}`, redraw));
  } }, merge, h('button', { type: 'submit', dataset: { testid: 'merge-button' }, 'aria-label': `Merge ${clusterWords}` },
    'Merge'));
  let hiding = false;   // a Hide (or Show) is on its way: a second click is not another one
  // Each action once per click burst (a double click would send it twice: the second is refused, or hides again).
  const needSelection = (fn) => (e) => {
    if (!selected.size) { toast('Select faces first.', 'error'); return; }
    const ids = [...selected];
    once(e.currentTarget.parentElement, () => fn(ids));
  };
  // One layout on every card: the name form, the merge form, then what acts on the selected faces, each on its own row.
  const tools = canManage ? h('div', { class: 'cluster-tools' },
    nameForm, mergeForm, h('div', { class: 'cluster-face-actions' },
    h('span', { class: 'small muted' }, 'Selected faces:'),
    h('button', { type: 'button', dataset: { testid: 'split-button' },
      'aria-label': `Split selected faces off ${clusterWords}`, onclick: needSelection((ids) =>
      act(api.post(`/api/clusters/${c.id}/split`, { face_ids: ids }), `${plural(ids.length, 'face')} split off`, redraw)) },
    'Split selected'),
    c.person && !removed ? h('button', { type: 'button', dataset: { testid: 'not-person-button' }, onclick: needSelection((ids) =>
      act(api.post('/api/faces/bulk', { action: 'not_this_person', face_ids: ids, person: c.person }),
        `${plural(ids.length, 'face')} marked not ${personName(c.person)}`, redraw)) }, `Not ${personName(c.person)}`) : null,
    // Not disabled while on its way (once() would): the button keeps the keyboard focus, which then moves on to the
    // next card's Hide when this card leaves the list.
    h('button', { type: 'button', class: 'link', dataset: { testid: 'hide-button' },
      'aria-label': `${c.hidden ? 'Show' : 'Hide'} ${clusterWords}`, onclick: async () => {
      if (hiding) return;
      hiding = true;
      try {
        await act(api.post(`/api/clusters/${c.id}/hide`, { hidden: !c.hidden }), c.hidden ? 'Cluster shown' : 'Cluster hidden',
          redraw);
      } finally { hiding = false; }
    } }, c.hidden ? 'Show' : 'Hide'))) : null;
  const audit = c.person && personIds[c.person]
    ? h('a', { href: `#/people/person/${personIds[c.person]}`, dataset: { testid: 'audit-link' } }, 'Face audit') : null;
  return h('article', { class: `card cluster${c.hidden ? ' is-hidden' : ''}`, dataset: { testid: 'cluster', id: c.id, person: c.person } },
    h('div', { class: 'cluster-head' }, h('h2', {}, title), h('span', { class: 'muted' }, `#${c.id} · ${plural(c.size, 'face')}`),
      c.hidden ? h('span', { class: 'badge', dataset: { testid: 'hidden-badge' } }, 'hidden') : null, audit),
    h('div', { class: 'faces' }, c.faces.map((f) => faceImage(f, selected, null, null, canManage))),
    c.size > c.faces.length ? h('p', { class: 'muted small' }, `and ${c.size - c.faces.length} more`) : null,
    tools);
}

// Why faces are missing from the list: `count` faces are in no cluster, since a cluster needs `minFaces` similar faces
// of one person (a few, when the configuration could not be read).
function unclusteredNote(count, minFaces) {
  const needed = Number.isInteger(minFaces) ? `at least ${plural(minFaces, 'similar face')}` : 'a few similar faces';
  return h('p', { class: 'muted', dataset: { testid: 'unclustered' } },
    `${plural(count, 'face is', 'faces are')} not in a cluster yet: a new cluster forms once the library holds ` +
    `${needed} of one person nobody named yet (a person you named gathers their faces from the first one). Until ` +
    'then, name them on their photos in ', h('a', { href: '#/review' }, 'Review'), '.');
}

// The empty list's words: with faces in no cluster, how many and why (`note`); else that a group forms in time.
function emptyText(showHidden, note) {
  if (note) {
    return [h('p', {}, showHidden ? 'No face clusters yet.'
      : 'No face clusters to show (clusters you hid are under “Show hidden”).'), note];
  }
  return showHidden ? 'No face clusters yet: a group forms once a few photos of a face arrive.'
    : 'No face clusters to show: a group forms once a few photos of a face arrive, and clusters you hid are ' +
      'under “Show hidden”.';
}

async function renderClusters(root, canManage, showHidden, signal) {
  const draw = async () => {
    let clusters;
    let unclustered;
    let persons;
    let config;
    try {
      [{ clusters, unclustered }, { persons }, config] = await Promise.all([
        api.get(`/api/clusters?faces_per_cluster=24${showHidden ? '&hidden=1' : ''}`), api.get('/api/persons'),
        api.get('/api/config').catch(() => null)]);
    } catch (err) {
      if (err.status !== 503) throw err;
      mount(root, h('section', {}, peopleTabs('clusters'), h('h1', {}, 'Face clusters'),
        h('div', { class: 'card empty', dataset: { testid: 'clusters-off' } },
          h('p', {}, 'Faces are not clustered in this library: ', err.message),
          h('p', { class: 'muted' }, 'Turn on face analysis and face_clustering.enabled in triage.json (Settings), ' +
            'or see the persons enrolled for sorting under '), h('a', { href: '#/persons' }, 'Enrolled persons'))));
      return;
    }
    const note = unclustered > 0 ? unclusteredNote(unclustered, config?.face_clustering?.min_faces) : null;
    const personIds = Object.fromEntries(persons.map((p) => [p.name, p.id]));
    const names = h('datalist', { id: 'people-names' }, persons.map((p) => h('option', { value: p.display_name || p.name })));
    // A name typed but not yet sent survives the redraw (after another action, its undo, a live update), and so does
    // the focus in its field: the list is drawn anew under the typing hand.
    const typed = new Map();
    for (const input of root.querySelectorAll('[data-testid="cluster"] [data-testid="name-input"]')) {
      if (input.value) typed.set(input.closest('[data-testid="cluster"]').dataset.id, input.value);
    }
    const active = document.activeElement;
    const focused = active && root.contains(active) && active.dataset.testid === 'name-input'
      ? active.closest('[data-testid="cluster"]').dataset.id : null;
    // A control of a card that leaves the list (Hide, Merge, a name that joined another cluster) takes the keyboard
    // focus with it: it goes to the same control of the card that came after it (or before, for the last one), so
    // that Hide pressed again hides the next cluster; with no card left, to the page's heading.
    const card = active && root.contains(active) ? active.closest('[data-testid="cluster"]') : null;
    const order = card ? [...root.querySelectorAll('[data-testid="cluster"]')].map((el) => el.dataset.id) : [];
    const control = card && active.dataset.testid;
    remount(root, h('section', {}, peopleTabs('clusters'),
      h('div', { class: 'page-head' }, h('h1', {}, 'Face clusters'),
        h('a', { href: showHidden ? '#/people' : '#/people/hidden' }, showHidden ? 'Hide hidden clusters' : 'Show hidden')),
      h('p', { class: 'muted', dataset: { testid: 'clusters-intro' } }, canManage
        ? 'Faces that look alike are grouped as they arrive. Name a group once: its best faces are enrolled and its ' +
          'waiting photos are sorted. Every action can be undone.'
        : 'Faces that look alike are grouped as they arrive. Naming, merging and splitting them is for a role that ' +
          'manages persons.'),
      names,
      clusters.length ? note : null,
      // How two clusters of one person named apart are joined: the same help for every card that has nothing to merge
      // with, said once.
      canManage && clusters.some((c) => mergesWithNone(c, clusters))
        ? h('p', { class: 'muted small', dataset: { testid: 'merge-help' } }, 'Clusters named as two different people ' +
          'are not merged. If two of them are the same person, rename one to the other\'s name as written (on its card) ' +
          'to join them.') : null,
      clusters.length ? h('div', { class: 'clusters' }, clusters.map((c) => clusterCard(c, clusters, personIds, canManage, draw)))
        : h('div', { class: 'card empty', dataset: { testid: 'clusters-empty' } }, emptyText(showHidden, note))));
    for (const [id, value] of typed) {
      const input = root.querySelector(`[data-testid="cluster"][data-id="${id}"] [data-testid="name-input"]`);
      if (input) input.value = value;
    }
    if (focused) root.querySelector(`[data-testid="cluster"][data-id="${focused}"] [data-testid="name-input"]`)?.focus();
    if (card && !root.querySelector(`[data-testid="cluster"][data-id="${card.dataset.id}"]`)) {
      const at = order.indexOf(card.dataset.id);
      const cards = [...order.slice(at + 1), ...order.slice(0, at).reverse()]
        .map((id) => root.querySelector(`[data-testid="cluster"][data-id="${id}"]`)).filter(Boolean);
      // A name typed into "Who is this?" goes on to the next cluster nobody has named, never into a named one's
      // "Move these faces to…" (a next name typed there would move another person's faces).
      const unnamed = (el) => el.querySelector('[data-testid="name-input"]')?.placeholder === 'Who is this?';
      const near = control === 'name-input' ? cards.find(unnamed) : cards[0];
      const target = near ? (control && near.querySelector(`[data-testid="${control}"]`)) || near.querySelector('button, input')
        : root.querySelector('h1');
      if (target === root.querySelector('h1')) target.tabIndex = -1;
      target?.focus();
    }
  };
  attachUndoPage('people', draw, signal);
  await draw();
}

async function renderPersonGrid(root, personId, canManage, signal) {
  const selected = new Set();
  const draw = async () => {
    selected.clear();
    const [{ person, faces }, { clusters }] = await Promise.all([
      api.get(`/api/persons/${personId}/faces`), api.get('/api/clusters?faces_per_cluster=0&hidden=1')]);
    // Nothing is chosen at first: one tap on Reassign must not move a face to whichever cluster came first.
    const target = h('select', { 'aria-label': 'Reassign to cluster', dataset: { testid: 'reassign-select' } },
      h('option', { value: '' }, 'Move to cluster…'),
      clusters.filter((c) => c.person !== person.name).map((c) =>
        h('option', { value: c.id }, `#${c.id} ${c.person ? personName(c.person) : 'unnamed'} (${c.size})`)));
    // `said(count)`: what the toast says was done ("2 faces removed from ada"). Disabled while no face is selected.
    // One action at a time: the second click of a double click made a second action of the same faces, and the first
    // Undo then took back the one that changed nothing.
    let acting = false;
    const bulk = (action, label, extra, said) => h('button', { type: 'button', dataset: { testid: `bulk-${action}` },
      disabled: true, onclick: async () => {
        if (acting) return;
        if (!selected.size) { toast('Select faces first.', 'error'); return; }
        const more = extra();
        if (!more) return;   // what the action needs was not chosen (said in a toast)
        const ids = [...selected];
        acting = true;
        try {
          await act(api.post('/api/faces/bulk', { action, face_ids: ids, ...more }), said(plural(ids.length, 'face')),
            draw);
        } finally { acting = false; }
      } }, label);
    const targetName = () => (target.selectedOptions[0] || {}).textContent || 'the chosen cluster';
    const count = h('span', { class: 'small muted', role: 'status', dataset: { testid: 'selected-count' } });
    const clear = h('button', { type: 'button', class: 'link', dataset: { testid: 'clear-selection' }, onclick: () => {
      selected.clear();
      root.querySelectorAll('[data-testid="face-grid"] .face.selected').forEach((f) => {
        f.classList.remove('selected');
        f.setAttribute('aria-pressed', 'false');
      });
      refresh();
    } }, 'Clear selection');
    const actions = [
      bulk('remove', 'Remove', () => ({}), (n) => `${n} taken out of ${personName(person.name)}'s cluster`),
      bulk('not_this_person', `Not ${personName(person.name)}`, () => ({ person: person.name }),
        (n) => `${n} marked not ${personName(person.name)}`),
      target, bulk('reassign', 'Reassign', () => {
        if (target.value) return { cluster: Number(target.value) };
        toast('Choose the cluster to move the selected faces to first.', 'error');
        target.focus();
        return null;
      },
        (n) => `${n} moved to ${targetName()}`)];
    // What the tools act on, said beside them; they wait for a selection.
    const refresh = () => {
      count.textContent = selected.size ? `${plural(selected.size, 'face')} selected` : 'Select faces to act on them';
      for (const b of actions) if (b.tagName === 'BUTTON') b.disabled = !selected.size;
      clear.hidden = !selected.size;
    };
    refresh();
    remount(root, h('section', {},
      peopleTabs(''),
      h('div', { class: 'page-head' }, h('h1', {}, `${personName(person.name)}: faces`), h('a', { href: '#/people' }, 'All face clusters')),
      h('p', { class: 'muted' }, 'Farthest from the centre of their faces first: mistakes show up at the top.'),
      canManage ? h('div', { class: 'audit-tools', dataset: { testid: 'audit-tools' } }, count, ...actions, clear) : null,
      faces.length ? h('div', { class: 'faces grid', dataset: { testid: 'face-grid' } }, faces.map((f) =>
        faceImage(f, selected, refresh, h('span', { class: 'distance' }, f.distance.toFixed(2)), canManage)))
        : h('div', { class: 'card empty' }, 'No faces are given to this person yet.')));
  };
  attachUndoPage('people', draw, signal);
  await draw();
}

export async function renderPeople(root, params, { session, signal }) {
  const canManage = !!session.permissions.manage_persons;
  if (params[0] === 'person' && params[1]) return renderPersonGrid(root, Number(params[1]), canManage, signal);
  return renderClusters(root, canManage, params[0] === 'hidden', signal);
}
