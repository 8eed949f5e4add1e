// Faces on the review card: the detected face boxes drawn over the photo, and for a group photo one row per face to
// name it (an enrolled person, or a new one added first) or mark it as nobody tracked
// (POST /api/review/{id}/faces/{index}).
import { h, faceCrop, personKeyOf, personName, toast } from './dom.js';
import { personPicker, rankPersons } from './picker.js';

function faceState(face) {
  if (face.named_as) return 'named';
  return face.untracked ? 'untracked' : 'open';
}

function faceWords(face) {
  if (face.named_as) return personName(face.named_as);
  if (face.untracked) return 'not tracked';
  return face.cluster_person ? `${personName(face.cluster_person)} on the People page` : 'not named yet';
}

// The photo with a numbered box on each face, placed in percent of the image so that it follows any size the image
// is shown at. `onBox(index)` runs when a box is clicked.
export function faceStage(item, faces, image, onBox) {
  const boxes = faces.map((face) => {
    const { x, y, w, h: bh } = face.box;
    const box = h('button', { type: 'button', class: `face-box ${faceState(face)}`,
      dataset: { testid: 'face-box', face: face.index },
      'aria-label': `Face ${face.index + 1}: ${faceWords(face)}`, onclick: () => onBox && onBox(face.index) },
    h('span', { class: 'face-tag' }, `${face.index + 1}${face.named_as ? ` ${personName(face.named_as)}` : ''}`));
    Object.assign(box.style, { left: `${(100 * x) / item.width}%`, top: `${(100 * y) / item.height}%`,
      width: `${(100 * w) / item.width}%`, height: `${(100 * bh) / item.height}%` });
    return box;
  });
  return h('div', { class: 'face-stage', dataset: { testid: 'face-stage' } }, image, boxes);
}

// What the matcher says of a face, in words: a distance is read the other way round from a confidence (lower is
// nearer), so it is named, and one beyond the match distance is said to be no match.
export function matchWords({ person: folder, distance, within_match_distance: within }) {
  const person = personName(folder);
  const d = distance === null || distance === undefined ? '' : distance.toFixed(2);
  if (within) return d ? `likely ${person} · distance ${d}` : `likely ${person}`;
  return d ? `no match · nearest ${person} at ${d}` : `no match · nearest ${person}`;
}

// The nearest enrolled person of a face, as a hint; only one within the match distance is offered as a likely match.
function nearestHint(face) {
  const near = (face.nearest || [])[0];
  if (!near) return null;
  return h('span', { class: `suggestion ${near.within_match_distance ? 'near' : 'far'}`, dataset: { testid: 'face-hint' },
    title: near.within_match_distance ? 'A likely match (distance: lower is nearer)'
      : 'The closest enrolled person, but too far away to be a match (distance: lower is nearer)' },
  matchWords(near));
}

// One row per face: its crop, what it is now, a person picker and "Not tracked". `name(index, person)` names it
// (person '' marks it as nobody tracked). Returns {el, focus(index)}.
// `enrol(name)`: adds a person nobody enrolled yet and resolves with their folder name (or '' when that did not
// happen; it says why); null when the reviewer may not add persons.
export function facesPanel(item, faces, persons, { name, onEscape, enrol = null, keepClear = () => [] }) {
  const pickers = [];
  const rows = faces.map((face) => {
    let confirmedNew = '';   // a new name the reviewer confirmed although it is part of another face's person
    // A name from the list, or one typed that nobody has yet: that person is added first (when the role may), so
    // that a group photo's new face is named on its card like a single photo's.
    const submit = async () => {
      const typed = picker.typed();
      // Chosen, typed as listed, or typed as a person would write it ("Ada Lovelace" for ada_lovelace).
      const known = picker.value() || (persons.find((p) => p.name === personKeyOf(typed)) || {}).name;
      if (known) { name(face.index, known); return; }
      if (!typed) { picker.focus(); return; }
      // A part of the name of somebody named on another face ("oba" with obama on face 1) is more likely that person
      // typed short than somebody new: said first, and a second Enter adds them.
      const there = namedElsewhere(typed);
      if (there.length && confirmedNew !== typed) {
        confirmedNew = typed;
        toast(`${there.join('; ')}. Press Enter again to add “${typed}” as a new person, or choose someone listed.`);
        picker.focus();
        return;
      }
      if (!enrol) {
        toast(`Nobody named "${typed}" is enrolled, and your role may not add persons: choose an enrolled person, ` +
          'or mark the face as not tracked.', 'error');
        picker.focus();
        return;
      }
      const added = await enrol(typed);
      if (added) name(face.index, added);
    };
    // Its list never covers the row's own Name and Not tracked (wrapped under the box on a narrow screen) nor the
    // buttons of the card (`keepClear`).
    // The persons another face of this photo is named as are not offered (one person is never in a photo twice).
    const elsewhere = new Set(faces.filter((f) => f.index !== face.index && !f.untracked)
      .map((f) => f.named_as || f.cluster_person).filter(Boolean));
    const faceOf = (person) => faces.find((f) => f.index !== face.index && (f.named_as || f.cluster_person) === person)?.index ?? 0;
    // The persons of the other faces are not listed; typed, they are said to be there already (a name typed that
    // only they have would otherwise read as nobody's, and Enter would add a second person).
    const namedElsewhere = (typed) => rankPersons(persons.filter((p) => elsewhere.has(p.name)), typed)
      .map((p) => `${p.display_name || personName(p.name)} is face ${faceOf(p.name) + 1} already`);
    const picker = personPicker(persons.filter((p) => !elsewhere.has(p.name)), { testid: `face-${face.index}`,
      label: `Who is face ${face.index + 1}`, onEnter: submit, onEscape,
      nobody: (typed) => {
        const there = namedElsewhere(typed);
        if (!there.length) {
          return enrol ? `Nobody enrolled by that name: Enter adds “${typed}” as a new person`
            : 'Nobody enrolled by that name, and your role may not add persons: choose someone listed';
        }
        return `${there.join('; ')}. ` +
          (enrol ? `Enter adds “${typed}” as a new person` : 'Your role may not add persons: choose someone listed');
      },
      keepClear: () => [nameButton, untrackedButton, ...[].concat(keepClear() || [])] });
    pickers[face.index] = picker;
    const nameButton = h('button', { type: 'button', dataset: { testid: 'face-name' }, onclick: submit }, 'Name');
    // Marked already: pressed again it changes nothing (it said so twice in the audit log), and says so.
    const untrackedButton = h('button', { type: 'button', dataset: { testid: 'face-untracked' },
      'aria-pressed': face.untracked ? 'true' : 'false',
      title: face.untracked ? 'Marked as not tracked: name the face to change that' : null,
      onclick: () => (face.untracked
        ? toast(`Face ${face.index + 1} is marked as not tracked already: name it to change that.`)
        : name(face.index, '')) }, 'Not tracked');
    // Named on the People page (its cluster) but not on this card yet: that name is chosen, Name confirms it.
    if (face.cluster_person && !face.named_as && !face.untracked) picker.choose(face.cluster_person);
    return h('li', { class: `face-row ${faceState(face)}`, dataset: { testid: 'face-row', face: face.index } },
      h('span', { class: 'face-number', 'aria-hidden': 'true' }, String(face.index + 1)),
      faceCrop(item, face.box, 48),
      h('div', { class: 'face-what' },
        h('span', { class: 'face-status', dataset: { testid: 'face-status' } }, faceWords(face)),
        face.named_as || face.untracked ? null : nearestHint(face)),
      h('div', { class: 'face-actions' }, picker.el, nameButton, untrackedButton));
  });
  const open = faces.filter((f) => !f.named_as && !f.untracked).length;
  const el = h('section', { class: 'faces-panel', dataset: { testid: 'faces-panel' }, 'aria-label': 'Faces in this photo' },
    h('h2', {}, `Faces in this photo (${faces.length})`),
    h('p', { class: 'muted small' }, open ? `${open} to name: choose who each face is, or mark it as not tracked. ` +
      'When every face is done, the photo goes where the policy sends it.' : 'Every face is named.'),
    h('ol', { class: 'face-rows' }, rows));
  // `fill`: puts a name back into a face's box (chosen when it is an enrolled person's), as if typed again.
  const fill = (index, text) => {
    const picker = pickers[index];
    if (!picker) return;
    const known = persons.find((p) => p.name === text);
    if (known) picker.choose(known.name); else picker.input.value = text;
  };
  return { el, fill, focus: (index) => pickers[index] && pickers[index].focus() };
}
