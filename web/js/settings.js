// Settings: whitelist, blacklist, thresholds and the auto-sorting switch (all validated by the server).
import { api } from './api.js';
import { h, mount, remount, toast, dismissToast, personKey, personKeyOf, plural, personName } from './dom.js';
import { attachUndoPage, offerUndo } from './undo.js';

const THRESHOLDS = [
  ['min_confidence', 'Minimum confidence to sort automatically (0–1)', '0.01'],
  ['max_faces_per_image', 'Most faces an auto-sorted photo may have', '1'],
  ['match_distance', 'Largest face distance that can still match (0.1–2)', '0.01'],
  ['min_face_size', 'Smallest face in pixels', '1'],
  ['min_face_fraction', 'Smallest face searched for, share of the long side (0–0.09)', '0.005'],
  ['min_detection_confidence', 'Minimum face detection score (0–1)', '0.01'],
  ['min_sharpness', 'Minimum sharpness measure (variance of the Laplacian, the raw measure, not the 0–10 score; 0 = off)', '1'],
];
// The server names a refused threshold by its configuration key ("thresholds.min_confidence: must be a number from
// 0 to 1 (got 5)"); the page says the field's label instead.
const fieldWords = (label) => `"${label.replace(/ \(.*\)$/, '')}"`;
const inFieldWords = (message) => THRESHOLDS.reduce(
  (text, [key, label]) => text.replaceAll(`thresholds.${key}`, fieldWords(label)), message);
const unstop = (text) => String(text).replace(/\.$/, '');
// Several refusals ("thresholds.b: ...; thresholds.a: ..."), as the server names them by key, put in the order the
// form shows the fields.
const placeInForm = (part) => {
  const at = THRESHOLDS.findIndex(([key]) => part.startsWith(`thresholds.${key}:`));
  return at < 0 ? THRESHOLDS.length : at;
};
const inFormOrder = (message) => String(message).split('; ').sort((a, b) => placeInForm(a) - placeInForm(b)).join('; ');
// A refused value is said in the fields' words (the message names the field); any other failure (no answer, a server
// error) says what could not be done, so that it is not taken for a refusal of what was typed.
const couldNot = (what, err) => (err.status === 400 ? inFieldWords(inFormOrder(err.message))
  : `Could not ${what}: ${unstop(err.message)}. The values typed stay here.`);
// The keys of the thresholds a refusal names (by key or, once put in the fields' words, by label), in the form's
// order: the server names every refused value at once ("thresholds.a: ...; thresholds.b: ...").
const refusedKeys = (message) => THRESHOLDS.filter(([key, label]) => message.includes(`thresholds.${key}`)
  || message.includes(fieldWords(label))).map(([key]) => key);
// The fields a refused value (400) names; none for any other failure.
const refusedFields = (err) => (err.status === 400 ? refusedKeys(err.message) : []);


// Edit distance, to offer "sheldon" for "shledon".
function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function replaceName(text, typed, name) {
  return text.split('\n').map((line) => (line.trim() === typed ? name : line)).join('\n');
}

// Names that match nobody enrolled: a warning naming them, the closest enrolled names to take instead, and
// "Save anyway" (a person may be listed before they are enrolled).
function showUnknown(box, unknown, enrolled, { use, keep }) {
  const lines = unknown.map((typed) => {
    // Close means a few letters apart for the name's length (two in five, at most three): any name is three edits
    // from "bob", and a name in another script has no letters to compare (its key is empty).
    const key = personKey(typed), most = Math.min(3, Math.round(key.length * 0.4));
    const close = key ? enrolled.map((n) => [n, distance(key, n)]).filter(([, d]) => d <= most)
      .sort((x, y) => x[1] - y[1]).slice(0, 3).map(([n]) => n) : [];
    return h('li', {}, `“${typed}” is not an enrolled person.`,
      close.length ? [' Did you mean ', close.map((n) => h('button', { type: 'button', class: 'link',
        dataset: { testid: 'use-name' }, onclick: () => use(typed, personName(n)) }, personName(n))), '?'] : null);
  });
  mount(box, h('div', { role: 'alert', class: 'card warn' }, h('ul', {}, lines),
    h('p', { class: 'small' },
      enrolled.length ? `Enrolled: ${enrolled.map(personName).join(', ')}.` : 'Nobody is enrolled yet.'),
    h('button', { type: 'button', dataset: { testid: 'save-anyway' }, onclick: keep }, 'Save anyway')));
}

export async function renderSettings(root, _params, { session, refreshSortState, guardLeaving, signal }) {
  const canEdit = !!session.permissions.change_config;
  // Fields whose text differs from what was drawn (the saved settings) are edits not yet saved.
  guardLeaving(() => {
    const edited = [...root.querySelectorAll('[data-drawn]')].filter((el) => el.value !== el.dataset.drawn)
      .map((el) => el.getAttribute('aria-label') || el.closest('label')?.querySelector('span')?.textContent || el.name);
    return edited.length ? `Settings not saved: ${edited.join(', ')}.` : '';
  });
  const names = (text) => text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

  // Each draw keeps what is typed and not yet saved in any field: drawing the page anew after one form's save (or after
  // pausing auto-sorting) must not wipe another's text. A save marks what it sent as drawn, so the form just saved is
  // drawn as the server has it now unless it was typed in meanwhile. The fields are read once the answers are in, just
  // before the new page replaces them: text typed while they were on their way counts too.
  async function draw() {
    const [config, status, { persons }] = await Promise.all([api.get('/api/config'), api.get('/api/status'),
      api.get('/api/persons')]);
    const unsaved = {};
    for (const list of ['whitelist', 'blacklist']) {
      const area = root.querySelector(`[data-testid="${list}-input"]`);
      if (area && area.value !== area.dataset.drawn) unsaved[list] = area.value;
    }
    const unsavedThresholds = {};
    for (const [key] of THRESHOLDS) {
      const input = root.querySelector(`[data-testid="threshold-${key}"]`);
      if (input && input.value !== input.dataset.drawn) unsavedThresholds[key] = input.value;
    }
    const enrolled = persons.map((p) => p.name);
    const listForm = (list, help) => {
      const area = h('textarea', { rows: 4, dataset: { testid: `${list}-input` }, disabled: !canEdit,
        'aria-label': list === 'whitelist' ? 'Whitelist names' : 'Blacklist names' },
      // Each listed person as their name is written; the server files it under the same folder name.
      config[list].map(personName).join('\n'));
      area.dataset.drawn = area.value;
      if (unsaved[list] !== undefined) area.value = unsaved[list];
      const warning = h('div', { class: 'list-warning', dataset: { testid: `${list}-warning` } });
      let confirmed = '';   // the text whose unknown names the user chose to keep
      // One save at a time: a double click on Save made a second change to the same names, and the first Ctrl-Z then
      // took back only that one.
      let saving = false;
      const save = async () => {
        if (saving) return;
        saving = true;
        const sent = area.value;
        try {
          // A person is on one list at most: a name this list takes leaves the other one, which is said (the other list
          // as saved just before, not as this form was drawn).
          const other = list === 'whitelist' ? 'blacklist' : 'whitelist';
          const was = (await api.get('/api/config'))[other];
          const out = await api.put(`/api/config/${list}`, { names: names(sent) });
          // Saved from now on, not only once the page is drawn anew: leaving before then loses nothing (text typed
          // meanwhile still counts as not saved).
          area.dataset.drawn = sent;
          const moved = out[list].filter((n) => was.includes(n));
          // With its Undo (and Ctrl-Z on this page), as every other decision.
          // An emptied list is said with what it means: no whitelist sorts every enrolled person.
          const saved = out[list].length ? `Saved the ${list} (${plural(out[list].length, 'name')})`
            : list === 'whitelist' ? 'Saved the whitelist, now empty: photos of every enrolled person are sorted, ' +
              'but for those on the blacklist' : 'Saved the blacklist, now empty: nobody is held back';
          offerUndo(saved + (moved.length
            ? `; ${moved.map(personName).join(', ')} left the ${other} (a person is on one list at most).` : '.'),
          out.undo, 'settings');
          await draw();
        } catch (err) {
          toast(`Could not save the ${list}: ${unstop(err.message)}. The names typed stay here.`, 'error');
        } finally { saving = false; }
      };
      return h('form', { class: 'card', onsubmit: async (e) => {
        e.preventDefault();
        const unknown = names(area.value).filter((n) => !enrolled.includes(personKeyOf(n)));
        // A name no person can have (a sign that is no letter, such as an emoji, or no letter or digit at all) is said
        // at once: "Save anyway" would only be refused by the server.
        const impossible = unknown.filter((n) => /[^\p{L}\p{M}\p{N}\p{ASCII}]/u.test(n) || !/[\p{L}\p{N}]/u.test(n));
        if (impossible.length) {
          mount(warning, h('div', { role: 'alert', class: 'card warn' }, h('p', {},
            `${impossible.map((n) => `“${n}”`).join(', ')} cannot be ${impossible.length === 1 ? 'a name' : 'names'}: ` +
            'a name is letters of any script and digits (spaces, dashes and _ part its words). Correct ' +
            `${impossible.length === 1 ? 'it' : 'them'} and save again.`)));
          return;
        }
        if (unknown.length && confirmed !== area.value) {
          showUnknown(warning, unknown, enrolled, {
            use: (typed, name) => { area.value = replaceName(area.value, typed, name); mount(warning); },
            keep: () => { confirmed = area.value; mount(warning); save(); } });
          return;
        }
        mount(warning);
        await save();
      } }, h('h2', {}, list === 'whitelist' ? 'Whitelist' : 'Blacklist'), h('p', { class: 'muted' }, help), area,
      warning, canEdit ? h('button', { type: 'submit', dataset: { testid: `save-${list}` } }, 'Save') : null);
    };
    const inputs = {};
    const preview = h('div', { class: 'preview', role: 'status', dataset: { testid: 'threshold-preview' } });
    let pending = null;  // the thresholds whose preview is on screen, waiting for "Save"
    const readThresholds = () => {
      const body = {};
      const empty = [];
      for (const [key, input] of Object.entries(inputs)) {
        // An emptied field is a mistake, not a zero: every one is named.
        if (input.value.trim() === '') empty.push(`thresholds.${key}: enter a number`);
        body[key] = Number(input.value);
      }
      if (empty.length) throw Object.assign(new Error(inFieldWords(empty.join('; '))), { status: 400 });
      return body;
    };
    const unchanged = () => Object.values(inputs).every((input) => Number(input.value) === Number(input.dataset.drawn));
    const showPreview = (report) => {
      const lines = report.moves.map((m) => h('li', {}, `${plural(m.count, 'item')} would move from ${m.from} to ${m.to}` +
        ` (e.g. ${m.sample_ids.map((id) => `#${id}`).join(', ')})`));
      mount(preview, h('div', {},
        h('p', {}, report.changed === 0
          ? `Nothing already sorted or waiting in review would move (${plural(report.total, 'item')} checked).`
          : `${report.changed} of ${plural(report.total, 'item')} would be sorted elsewhere if they came in now:`),
        lines.length ? h('ul', {}, lines) : null,
        // Moves the saved settings would make as well are not these thresholds' doing: said, with the count.
        report.changed > 0 && report.changed_under_saved > 0 ? h('p', { dataset: { testid: 'preview-due' } },
          (unchanged() ? 'These thresholds are the saved ones: the moves come from the saved settings, '
            : `${plural(report.changed_under_saved, 'item')} would go elsewhere under the saved settings too, `) +
          'as photos were sorted before the whitelist, the blacklist or the thresholds last changed.') : null,
        h('p', { class: 'muted' }, 'Saving changes where new photos go; the photos counted here are not moved by it. ' +
          'Photos waiting in review can be re-sorted (the button under the thresholds); sorted photos stay where they ' +
          'are.'),
        h('button', { type: 'button', class: 'primary', dataset: { testid: 'confirm-thresholds' }, onclick: save },
          'Save thresholds'),
        h('button', { type: 'button', dataset: { testid: 'cancel-thresholds' }, title: 'Back to the saved values',
          onclick: cancel }, 'Cancel')));
    };
    // Cancel takes the previewed values back: the fields show the saved thresholds again, and nothing is unsaved.
    function cancel() {
      pending = null;
      mount(preview, null);
      for (const input of Object.values(inputs)) {
        input.value = input.dataset.drawn;
        input.setAttribute('aria-invalid', 'false');
      }
      toast('The thresholds are as saved.');
    }
    async function save() {
      const sent = Object.fromEntries(Object.entries(inputs).map(([key, input]) => [key, input.value]));
      try {
        await api.put('/api/config/thresholds', pending);
        for (const [key, value] of Object.entries(sent)) inputs[key].dataset.drawn = value;   // saved (as above)
        toast('Saved the thresholds.');
        await draw();
      } catch (err) { toast(couldNot('save the thresholds', err), 'error'); markRefused(refusedFields(err)); }
    }
    // A preview belongs to the values it was made for: changing a field withdraws it, so "Save" can only ever save
    // what is on screen.
    const withdrawPreview = () => {
      if (pending === null) return;
      pending = null;
      mount(preview, h('p', { class: 'muted', dataset: { testid: 'preview-stale' } },
        'The values changed since the preview: preview again to save them.'));
    };
    // The refusal of an earlier preview, taken off the screen once the values are accepted: it no longer holds.
    let refused = null;
    // The refused fields are marked (the first takes the keys) until the next preview, so that they are found once
    // the toast has gone.
    const markRefused = (keys) => {
      for (const [k, input] of Object.entries(inputs)) input.setAttribute('aria-invalid', String(keys.includes(k)));
      if (keys.length) inputs[keys[0]].focus();
    };
    const thresholds = h('form', { class: 'card', novalidate: true, oninput: withdrawPreview, onsubmit: async (e) => {
      e.preventDefault();
      pending = null;  // only a preview that came back is pending (a refused one is not "stale" after an edit)
      try {
        const wanted = readThresholds();
        const report = await api.post('/api/config/thresholds/simulate', wanted);
        pending = wanted;
        dismissToast(refused);
        markRefused([]);
        showPreview(report);
      } catch (err) {
        refused = toast(couldNot('preview the thresholds', err), 'error');
        markRefused(refusedFields(err));
      }
    } }, h('h2', {}, 'Thresholds'),
    THRESHOLDS.map(([key, label, step]) => {
      inputs[key] = h('input', { type: 'number', step, value: config.thresholds[key], disabled: !canEdit,
        required: true, dataset: { testid: `threshold-${key}` } });
      inputs[key].dataset.drawn = inputs[key].value;
      if (unsavedThresholds[key] !== undefined) inputs[key].value = unsavedThresholds[key];
      return h('label', { class: 'row' }, h('span', {}, label), inputs[key]);
    }), canEdit ? h('button', { type: 'submit', dataset: { testid: 'preview-thresholds' } }, 'Preview changes') : null,
    preview);
    // What waits in review was sorted under the thresholds and lists of its day: re-sorted on request, never behind the
    // reviewer's back (POST /api/policy/apply, as `triage apply-policy`).
    const resort = canEdit ? h('div', { class: 'card' }, h('h2', {}, 'Review queue'),
      h('p', { class: 'muted' }, 'Photos waiting in review were sorted under the settings of the day they came in. ' +
        'Re-sorting files each of them again under the saved thresholds and lists; a photo a person already decided is ' +
        'never moved.'),
      h('button', { type: 'button', dataset: { testid: 'apply-policy' }, onclick: async (e) => {
        e.target.disabled = true;
        try {
          const r = await api.post('/api/policy/apply', {});
          const where = r.moves.map((m) => `${plural(m.count, 'photo')} from ${m.from} to ${m.to}`).join(', ');
          const meanwhile = r.decided_meanwhile ? ` ${plural(r.decided_meanwhile, 'photo')} decided by somebody else ` +
            'meanwhile stayed where they were put.' : '';
          if (r.moved === 0) {
            toast(`Re-sorted the review queue: ${r.considered === 1 ? 'the one photo stays where it is'
              : `all ${plural(r.considered, 'photo')} stay where they are`}.${meanwhile}`);
          } else {
            // With its Undo (and Ctrl-Z on this page): every move of the re-sort goes back at once.
            offerUndo(`Re-sorted the review queue: moved ${where}.` + (r.failed ? ` ${r.failed} could not be moved: ` +
              `${r.errors.join('; ')}.` : '') + meanwhile, r.undo, 'settings', r.failed ? 'error' : 'info');
          }
        } catch (err) { toast(`Could not re-sort the review queue: ${unstop(err.message)}.`, 'error'); } finally { e.target.disabled = false; }
      } }, 'Re-sort what waits in review')) : null;
    const toggle = h('button', { type: 'button', class: status.auto_sort_enabled ? 'danger' : 'primary',
      disabled: !canEdit, dataset: { testid: 'toggle-auto-sort' }, onclick: async () => {
        try {
          await api.post(status.auto_sort_enabled ? '/api/disable' : '/api/enable');
          await refreshSortState();
          await draw();
        } catch (err) {
          toast(`Could not ${status.auto_sort_enabled ? 'pause' : 'resume'} auto-sorting: ${unstop(err.message)}.`, 'error');
        }
      } }, status.auto_sort_enabled ? 'Pause auto-sorting' : 'Resume auto-sorting');
    remount(root, h('section', {},
      h('h1', {}, 'Settings'),
      canEdit ? null : h('p', { class: 'muted' }, 'Your role may read the settings but not change them.'),
      h('div', { class: 'card' }, h('h2', {}, 'Auto-sorting'),
        h('p', {}, status.auto_sort_enabled ? 'On: recognised photos go straight to their person\'s folder.'
          : 'Paused: every new photo goes to review.'), toggle),
      h('div', { class: 'two-col' },
        listForm('whitelist', 'One name per line. When not empty, only these persons are sorted automatically.'),
        listForm('blacklist', 'One name per line. Photos of these persons always go to review.')),
      thresholds, resort));
  }
  attachUndoPage('settings', draw, signal);
  await draw();
}
