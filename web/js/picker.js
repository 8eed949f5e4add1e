// The person picker: a search box over the enrolled persons with a face of each (a reference face cut out of its
// photo), the names used last first, and number keys 1–9 for the top suggestions while the list is open. Enter hands
// over to the caller (approve), Esc leaves. Typing never chooses anyone by itself: only a number key, a click, or the
// arrow keys with Enter do, so a shortcut letter pressed here changes nothing but the filter.
import { h, mount, referenceFace, personKey, personKeyOf, personName } from './dom.js';

const RECENT_KEY = 'triage.recentPersons';
const MAX_RECENT = 9;
const MAX_SHOWN = 30;
const LIST_MAX_PX = 300;   // the list's own max-height (style.css)
let pickers = 0;

function recentNames() {
  try { return JSON.parse(localStorage.getItem(RECENT_KEY) || '[]').filter((n) => typeof n === 'string'); }
  catch (_) { return []; }
}

// Remembers `name` as the most recently used, for the pickers' order.
export function rememberPerson(name) {
  if (!name) return;
  const names = [name, ...recentNames().filter((n) => n !== name)].slice(0, MAX_RECENT);
  try { localStorage.setItem(RECENT_KEY, JSON.stringify(names)); } catch (_) { /* private mode: no memory */ }
}

// The persons matching `text` (case-insensitive, anywhere in the name as shown or in the folder name, so "rost" and
// "bernadette r" both find Bernadette Rostenkowski): recent names first, then names that start with the text, then the
// rest, each alphabetically as shown.
export function rankPersons(persons, text) {
  const q = text.trim().toLowerCase();
  const folder = personKey(text);
  const shown = (p) => (p.display_name || p.name).toLowerCase();
  const recent = recentNames();
  const matches = (p) => !q || shown(p).includes(q) || p.name.includes(q) || (folder && p.name.includes(folder));
  const key = (p) => {
    const r = recent.indexOf(p.name);
    return [r < 0 ? MAX_RECENT : r, q && (shown(p).startsWith(q) || p.name.startsWith(folder)) ? 0 : 1];
  };
  return persons.filter(matches).sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1] - kb[1] || shown(a).localeCompare(shown(b));
  });
}

function avatar(person) {
  if (person.avatar) return referenceFace(person.avatar, 28);
  return h('span', { class: 'avatar-initial', 'aria-hidden': 'true' },
    (person.display_name || person.name).charAt(0).toUpperCase());
}

// persons: [{name, avatar}] as GET /api/persons gives them. Returns {el, input, value(), typed(), choose(name), focus()}:
// value() is the chosen person, or a name typed out in full; '' otherwise. typed() is the text in the box.
// Enter takes the one enrolled person the typed text shows when it names no one exactly (a second Enter then acts);
// otherwise it hands over what was typed (on a face row, a text that shows no one may be a new person). `keepClear()`:
// an element (or a list of them) the open list must never cover (the card's decision buttons, a face row's own
// buttons, so that a click meant for Approve or Name does not land on a name): the list opens upward when it would,
// or shrinks to the room it has.
// `nobody(typed)`: what the list says when the typed text shows nobody (by default that nobody is enrolled by that
// name): where Enter adds a new person, that it does; where the role may not, that it may not.
export function personPicker(persons, { testid, label = 'Person', onEnter, onEscape, onChoose, keepClear, nobody } = {}) {
  const listId = `picker-list-${++pickers}`;
  let chosen = '';
  let shown = [];
  let active = -1;
  const input = h('input', { type: 'text', role: 'combobox', autocomplete: 'off', spellcheck: false,
    'aria-label': label, 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId,
    placeholder: 'type a name…', dataset: { testid: `${testid}-select`, value: '' } });
  // Never a Tab stop, even when it scrolls (Chromium makes a scrolling box one): the keys stay with the input, which
  // moves through the list with the arrows, and Tab goes on to the next field.
  const list = h('ul', { id: listId, role: 'listbox', class: 'picker-list', hidden: true, 'aria-label': `${label}: names`,
    tabindex: '-1', dataset: { testid: `${testid}-options` } });

  // The box shows the chosen person as they are shown everywhere; `chosen` and value() stay the folder name.
  const shownAs = (name) => {
    const p = persons.find((q) => q.name === name);
    return p ? (p.display_name || p.name) : name;
  };
  const searching = () => !chosen || input.value.trim() !== shownAs(chosen);
  function draw() {
    shown = rankPersons(persons, searching() ? input.value : '').slice(0, MAX_SHOWN);
    active = Math.min(active, shown.length - 1);
    mount(list, shown.length ? shown.map((p, i) => h('li', { id: `${listId}-${i}`, role: 'option',
      class: i === active ? 'active' : '', 'aria-selected': String(p.name === chosen),
      dataset: { testid: 'picker-option', name: p.name },
      onmousedown: (e) => e.preventDefault(), onclick: () => choose(p.name) },
    avatar(p), h('span', { class: 'picker-name' }, p.display_name || p.name), i < 9 ? h('kbd', {}, String(i + 1)) : null))
      : h('li', { class: 'picker-empty muted', role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false' },
        nobody && input.value.trim() ? nobody(input.value.trim())
          : persons.length ? 'Nobody enrolled by that name' : 'Nobody enrolled yet'));
    if (active >= 0) input.setAttribute('aria-activedescendant', `${listId}-${active}`);
    else input.removeAttribute('aria-activedescendant');
  }
  // Below the box when there is room for the whole list before the nearest element to keep clear under it (and the
  // window's edge); else on the side with more room (up to the nearest one over it), as high as that room allows.
  function place() {
    list.classList.remove('up');
    list.style.maxHeight = '';
    const clear = [].concat((keepClear && keepClear()) || []).filter(Boolean);
    if (!clear.length || list.hidden) return;
    const box = input.getBoundingClientRect();
    const zones = clear.map((el) => el.getBoundingClientRect()).filter((z) => z.height);
    const margin = 6;
    const floor = Math.min(window.innerHeight, ...zones.filter((z) => z.top >= box.bottom - 1).map((z) => z.top));
    const ceiling = Math.max(0, ...zones.filter((z) => z.bottom <= box.top + 1).map((z) => z.bottom));
    const below = floor - box.bottom - margin;
    const above = box.top - ceiling - margin;
    const wanted = Math.min(list.scrollHeight, LIST_MAX_PX);
    if (wanted <= below) return;
    const up = above > below;
    list.classList.toggle('up', up);
    list.style.maxHeight = `${Math.max(0, Math.min(LIST_MAX_PX, up ? above : below))}px`;
  }
  function open() { list.hidden = false; input.setAttribute('aria-expanded', 'true'); draw(); place(); }
  function close() { list.hidden = true; input.setAttribute('aria-expanded', 'false'); active = -1; }
  function choose(name) {
    chosen = name;
    input.value = shownAs(name);
    input.dataset.value = name;
    close();
    if (onChoose) onChoose(name);
  }

  input.addEventListener('focus', open);
  input.addEventListener('blur', close);
  input.addEventListener('input', () => { active = -1; open(); });
  // The page scrolled or resized with the list open: placed again for where the box now is.
  for (const type of ['scroll', 'resize']) {
    window.addEventListener(type, () => { if (!list.hidden && input.isConnected) place(); }, { passive: true });
  }
  input.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[1-9]$/.test(e.key)) {
      e.preventDefault();   // digits choose, they are not part of a name
      if (list.hidden) { open(); return; }
      const person = shown[Number(e.key) - 1];
      if (person) choose(person.name);
      return;
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (list.hidden) open();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      active = shown.length ? (active + step + shown.length) % shown.length : -1;
      draw();
      return;
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      if (!list.hidden && active >= 0 && shown[active]) { choose(shown[active].name); return; }
      // What was typed shows exactly one enrolled person and names no one exactly: Enter takes that one (a second
      // Enter then acts), rather than refusing a name the list already shows, or, where a typed name may be a new
      // person, adding "ada" beside the Ada Lovelace the list shows.
      if (!list.hidden && searching() && shown.length === 1 && !value()) { choose(shown[0].name); return; }
      close();
      if (onEnter) onEnter();
      return;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      // Leaves with the chosen name kept, or a name typed out in full taken as chosen ("obama", then Esc, then a);
      // anything else typed is dropped.
      const exact = value();
      if (exact && exact !== chosen) choose(exact);
      else input.value = chosen ? shownAs(chosen) : '';
      close();
      if (onEscape) onEscape();
    }
  });

  const value = () => {
    const text = input.value.trim();
    if (chosen && text === shownAs(chosen)) return chosen;
    // A name typed out in full, as shown or as its folder name ("Ada Lovelace", "ada_lovelace"): that person.
    const exact = text && persons.find((p) => p.name === personKeyOf(text));
    return exact ? exact.name : '';
  };
  const el = h('span', { class: 'picker' }, input, list);
  return { el, input, value, typed: () => input.value.trim(), choose, focus: () => input.focus() };
}
