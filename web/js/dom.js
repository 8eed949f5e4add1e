// Small DOM helpers: build elements without innerHTML (no markup injection from catalog data).

// h('div', {class: 'x', onclick: fn}, child, 'text', [more]) -> HTMLElement
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  // A key shown on a control (<kbd>) is a hint for the eye: read aloud it would join the name ("Deleted" for "Delete"
  // and d). Screen readers get the control's name alone and the key as aria-keyshortcuts.
  if (tag !== 'kbd') {
    for (const key of el.querySelectorAll(':scope > kbd')) {
      key.setAttribute('aria-hidden', 'true');
      if (!el.hasAttribute('aria-keyshortcuts')) el.setAttribute('aria-keyshortcuts', key.textContent);
    }
  }
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Replaces the children of `el`.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// Replaces a page's content as mount does, and gives the keyboard focus back to the same control in the content drawn
// anew (the checkbox just ticked, the field just submitted, the pager's arrow): a page that redraws after an action
// must not drop the focus to the top of the document. A control that is gone (the reference face just removed)
// hands the focus to the first control of the nearest box around it that is still there, else to the page.
// The focus is followed only when it is in `root`, or was lost with the old content (a control removed or disabled
// while its action ran); one that the user moved elsewhere (the toast, the navigation) stays where it is.
export function remount(root, ...children) {
  followFocus(root);
  const active = document.activeElement;
  const lost = !active || active === document.body;
  const was = root.contains(active) && active !== root ? focusPath(active, root) : lost ? lastFocus.get(root) : null;
  mount(root, ...children);
  if (was && !(root.contains(document.activeElement) && document.activeElement !== root)) refocus(root, was);
  return root;
}

const lastFocus = new WeakMap();   // root -> the focus path of the control in it that last had the focus
const followed = new WeakSet();
const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';

// Watches where the focus goes inside `root`: a focus that leaves to nowhere while its control stays usable is the
// user's own doing (a click on the page's background) and is forgotten.
function followFocus(root) {
  if (followed.has(root)) return;
  followed.add(root);
  root.addEventListener('focusin', (e) => { if (e.target !== root) lastFocus.set(root, focusPath(e.target, root)); });
  root.addEventListener('focusout', (e) => {
    if (e.relatedTarget) return;
    const left = e.target;
    setTimeout(() => {
      const still = left.isConnected && !left.disabled && document.activeElement === document.body;
      if (still) lastFocus.delete(root);
    });
  });
}

// What names an element among its siblings in a redrawn page: its test id and the data that tells one card or row
// from another, else its form name, label or (a plain button or link) its text.
function identity(el) {
  const d = el.dataset || {};
  const keys = [d.testid, d.name, d.id, d.itemId, d.refId, d.proposalId, d.person].filter((v) => v !== undefined);
  if (!keys.length && !el.matches(FOCUSABLE)) return null;
  const own = keys.length ? '' : el.getAttribute('name') || el.getAttribute('aria-label') || el.textContent.trim();
  return `${el.tagName}|${keys.join('|')}|${own}`;
}

// The identities of `el` and of the named boxes around it, from `root` down.
function focusPath(el, root) {
  const path = [];
  for (let node = el; node && node !== root; node = node.parentElement) {
    const id = identity(node);
    if (id) path.unshift(id);
  }
  return path;
}

function refocus(root, path) {
  const at = new Map();
  for (const el of root.querySelectorAll('*')) {
    const id = identity(el);
    if (!id) continue;
    const key = focusPath(el, root).join('\n');
    if (!at.has(key)) at.set(key, el);
  }
  for (let n = path.length; n > 0; n--) {
    const box = at.get(path.slice(0, n).join('\n'));
    if (!box) continue;
    const target = n === path.length && box.matches(FOCUSABLE) ? box : [...box.querySelectorAll(FOCUSABLE)]
      .find((el) => !el.disabled && el.getClientRects().length);
    if (target && !target.disabled) { target.focus({ preventScroll: true }); return; }
  }
  const main = root.closest('main') || root;
  if (main.tabIndex >= -1) main.focus({ preventScroll: true });
}

// "1 face", "3 faces": a count with its noun in the right number.
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// A tile's file name: whole up to 96 characters, so that exports of one shoot that differ at their end ("…_v3",
// "…_v4") are told apart; longer (up to the library's 180 bytes) its beginning and its last 32 characters, where a
// camera's counter and an edit's mark are, instead of eight wrapped lines. The whole name is the tooltip.
// `name` cut in the middle when longer than head + 1 + tail characters: its first `head` and last `tail` (whole
// characters; the end is where the numbering and the extension are), for a tile or a message.
export function shortenedName(name, head = 63, tail = 32) {
  const chars = Array.from(name || '');
  if (chars.length <= head + 1 + tail) return name || '';
  return `${chars.slice(0, head).join('')}…${chars.slice(-tail).join('')}`;
}

export function tileName(name) {
  return h('span', { class: 'tile-name', title: name }, shortenedName(name));
}

export function formatBytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatTime(unixSeconds) {
  if (!unixSeconds) return '–';
  return new Date(unixSeconds * 1000).toLocaleString();
}

// A capture time as the camera wrote it ("2017-10-31T20:16:18.45", the clock where the photo was taken, no zone),
// shown in the same words as formatTime's; the text as it is when it is no such time.
export function formatTaken(takenAt) {
  if (!takenAt) return '–';
  const at = new Date(String(takenAt).slice(0, 19));   // no zone: read as this clock, not converted
  return Number.isNaN(at.getTime()) ? String(takenAt) : at.toLocaleString();
}

export function categoryLabel(category) {
  if (!category) return '';
  const s = category.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

let toastTimer = null;
let toastShown = 0;   // which toast is on screen (each call of toast() counts one)
let toastEntry = null;   // the undo-list entry whose Undo the toast offers (review_undo.js's undoOffer), or null
const hideToast = () => { clearTimeout(toastTimer); document.getElementById('toast').hidden = true; };
// Takes whatever toast shows off the screen (logging out: an Undo offered before names what the next user cannot undo).
export function clearToast() { hideToast(); }
// Shows a message at the bottom of the page; `action` ({label, run}) adds a button (such as Undo). It stays as long as
// it takes to read (longer for an error or an action), while the focus is on it, and with `stay` until dismissed;
// × dismisses it. Returns a handle for dismissToast.
let shownToast = null;   // {message, kind, action} of the last toast shown
export function toast(message, kind = 'info', action = null, { stay = false } = {}) {
  shownToast = { message, kind, action };
  const el = document.getElementById('toast');
  const button = action ? h('button', { type: 'button', class: 'link toast-action', dataset: { testid: 'toast-action' },
    onclick: () => { hideToast(); action.run(); } }, action.label) : null;
  const dismiss = h('button', { type: 'button', class: 'link toast-dismiss', 'aria-label': 'Dismiss',
    dataset: { testid: 'toast-dismiss' }, onclick: hideToast }, '×');
  mount(el, h('span', { dataset: { testid: 'toast-text' } }, message), button, dismiss);
  el.className = `toast ${kind}`;
  el.dataset.action = action ? 'yes' : 'no';
  toastEntry = (action && action.entry) || null;
  el.hidden = false;
  const readMs = Math.max(action ? 12000 : kind === 'error' || kind === 'warn' ? 8000 : 5000, 2000 + String(message).length * 60);
  const later = () => { clearTimeout(toastTimer); if (!stay) toastTimer = setTimeout(() => { el.hidden = true; }, readMs); };
  // Held while the keyboard is on it (reaching Undo with Tab); not while the pointer rests on it, as a toast over a
  // button would then never leave.
  el.onfocusin = () => clearTimeout(toastTimer);
  el.onfocusout = later;
  later();
  return ++toastShown;
}

// `note` said after what the toast on screen says, keeping its Undo (a decision's toast is not replaced by a word
// about a key press: it names the photo decided and takes it back); alone when no toast shows.
export function addToToast(note) {
  const el = document.getElementById('toast');
  if (el.hidden || !shownToast) return toast(note);
  const { message, kind, action } = shownToast;
  const handle = toast(`${message} ${note}`, kind, action);
  shownToast = { message, kind, action };   // a second note replaces the first
  return handle;
}

// The undo-list entry whose Undo the toast on screen offers; null when no toast, or one without such an offer, shows.
export function offeredOnScreen() {
  return document.getElementById('toast').hidden ? null : toastEntry;
}

// Takes the toast `handle` (from toast()) off the screen if it is still the one shown: a hint that no longer holds.
export function dismissToast(handle) {
  if (handle && handle === toastShown) hideToast();
}

// The page or its category changed: a message about the one left goes (an offer to undo stays, as the decision it
// takes back is still the last one).
export function clearStaleToast() {
  if (document.getElementById('toast').dataset.action !== 'yes') hideToast();
}

// Asks before something that cannot simply be taken back; resolves true when confirmed. `details` are lines.
// The second click of a double click on a dialog's button lands on the page under it once the first has closed the
// dialog: on whatever button lies there (another person's "Remove person"). For a moment after a dialog closes, a click
// the browser counts as the second of a double click is dropped; a click of its own (detail 1) goes through.
function swallowSecondClick() {
  const drop = (e) => { if (e.detail > 1) { e.preventDefault(); e.stopImmediatePropagation(); } };
  for (const type of ['click', 'dblclick']) document.addEventListener(type, drop, true);
  setTimeout(() => { for (const type of ['click', 'dblclick']) document.removeEventListener(type, drop, true); }, 700);
}

export function confirmDialog(title, details, confirmLabel, kind = 'danger') {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', dataset: { testid: 'confirm-dialog' }, 'aria-labelledby': 'confirm-title' });
    // Leaving the page (Back, a link, a typed address) answers no: a question about a photo of the page left behind
    // must not stay open over another page, where "Delete for good" would still act.
    const leave = () => close(false);
    const close = (answer) => {
      window.removeEventListener('hashchange', leave);
      if (!dialog.isConnected) return;
      dialog.close(); dialog.remove(); swallowSecondClick(); resolve(answer);
    };
    window.addEventListener('hashchange', leave);
    mount(dialog, h('h2', { id: 'confirm-title' }, title),
      details.map((line) => h('p', {}, line)),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: kind, dataset: { testid: 'confirm-yes' }, onclick: () => close(true) },
          confirmLabel),
        h('button', { type: 'button', dataset: { testid: 'confirm-no' }, onclick: () => close(false) }, 'Cancel')));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(false); });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('[data-testid="confirm-no"]').focus();
  });
}

// A sheet of keyboard shortcuts ([[keys, what], ...]); Esc or "Close" closes it.
export function shortcutsSheet(rows) {
  const dialog = h('dialog', { class: 'confirm shortcuts', dataset: { testid: 'shortcuts' },
    'aria-labelledby': 'shortcuts-title' });
  const close = () => { dialog.close(); dialog.remove(); };
  mount(dialog, h('h2', { id: 'shortcuts-title' }, 'Keyboard shortcuts'),
    h('dl', { class: 'meta' }, rows.map(([keys, what]) => [h('dt', {}, keys.map((k) => h('kbd', {}, k))),
      h('dd', {}, what)])),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: close }, 'Close')));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  dialog.querySelector('button').focus();
}

// The thumbnail sizes the server offers (GET /api/items/{id}/thumbnail?size=; any other size is refused).
export const THUMB_SIZES = [160, 320, 640, 1280];

// srcset of an item's thumbnails (`sizes` of THUMB_SIZES): with the image's `sizes` attribute the browser picks the
// smallest that is sharp at the screen's density. A thumbnail is never larger than the photo, so each is described by
// the width it really has (sizes beyond the photo's long side give the photo itself, once).
export function thumbSrcset(item, sizes = THUMB_SIZES) {
  const long = Math.max(item.width || 0, item.height || 0);
  if (!long) return sizes.map((s) => `${item.thumbnail_url}?size=${s} ${s}w`).join(', ');
  const out = [];
  for (const s of sizes) {
    out.push(`${item.thumbnail_url}?size=${s} ${Math.max(1, Math.round((item.width * Math.min(s, long)) / long))}w`);
    if (s >= long) break;
  }
  return out.join(', ');
}

// An item's picture, or (when it cannot be shown: unreadable, or the thumbnail is refused) a placeholder that says
// why instead of a broken image.
// True for a file that has no picture to show (an unreadable file waiting in review): no thumbnail is asked for.
// An unreadable photo has no thumbnail to ask for, wherever it is (review, trash, kept): its stored reason stands in.
export const noPreview = (item) => item.category === 'unreadable';

export function itemImage(item, size, attrs = {}) {
  const placeholder = (why) => h('div', { class: 'img-placeholder', role: 'img', dataset: { testid: 'img-placeholder' },
    'aria-label': `No preview of ${item.file_name}: ${why}` }, h('span', { class: 'ph-title' }, 'No preview'), ' ',
  h('span', { class: 'ph-reason' }, why));
  if (noPreview(item)) return placeholder(item.reason || (item.reasons && item.reasons[0]?.text) || 'unreadable');
  const img = h('img', { src: `${item.thumbnail_url}?size=${size}`, alt: item.file_name, ...attrs });
  img.addEventListener('error', async () => {
    let why = 'the preview could not be loaded';
    try {
      const res = await fetch(img.currentSrc || img.src, { credentials: 'same-origin' });
      const body = await res.json();
      if (body && body.message) why = body.message;
    } catch (_) { /* keep the general reason */ }
    img.replaceWith(placeholder(why));
  }, { once: true });
  return img;
}

// What each quality dimension's raw measure is: [the unit shown after its number, digits, what it measures]. The
// dimension's score (0-10) places that measure among the library's photos; the raw number alone has no scale to read.
export const RAW_MEASURES = {
  sharpness: ['', 0, 'variance of the Laplacian (the strength of fine edges) on a 1024 px grey copy, in grey levels², ' +
    'noise taken out: higher is sharper, with no fixed top'],
  face_sharpness: ['', 0, 'variance of the Laplacian around the eyes (else the largest face), in grey levels²: higher ' +
    'is sharper, with no fixed top'],
  exposure: ['of 1', 2, 'mean brightness, from 0 (black) to 1 (white)'],
  noise: ['σ', 2, 'estimated noise: the standard deviation of the grain, in grey levels; lower is cleaner'],
  dynamic_range: ['stops', 1, 'the span from the dark to the bright tones, in stops'],
  contrast: ['of 1', 2, 'RMS contrast: the standard deviation of brightness, from 0 to 1'],
  colour: ['', 0, 'colourfulness (Hasler and Süsstrunk): 0 is grey, 100 and more very colourful'],
  composition: ['of 1', 2, 'how well the subject is placed (rule of thirds, level horizon, leading lines), 0 to 1'],
  technical: ['of 100', 0, 'BRISQUE, a no-reference image quality measure: 0 best, 100 worst'],
  resolution: ['MP', 2, 'megapixels'],
};

// A raw measure as text with its unit ("59", "9.8 stops", "0.51 MP") and the words for its tooltip.
export function rawMeasure(name, raw) {
  const [unit, digits, words] = RAW_MEASURES[name] || ['', 2, 'the measure in its own unit'];
  const value = Number(raw).toFixed(digits);
  return { text: unit ? `${value} ${unit}` : value, words };
}

// A dimension's place on 0-10 and its raw measure: {text: "5.9 of 10", title: what the measure is and its value}; the
// raw measure alone when the photo has no score; null when neither is known.
export function dimensionWords(quality, name, raw) {
  const d = quality && quality.dimensions && quality.dimensions[name];
  const measured = raw !== undefined && raw !== null && raw > 0 ? raw : d ? d.raw : null;
  const { text, words } = rawMeasure(name, measured);
  if (d && d.score !== null && d.score !== undefined) {
    return { text: `${Number(d.score).toFixed(1)} of 10`,
      title: `${Number(d.score).toFixed(1)} of 10 among the library's photos; measured as the ${words}: ${text}` };
  }
  return measured === null ? null : { text: `${text} (raw)`, title: `The ${words}: ${text}` };
}

// An item's community votes as the server weighs them (proposals.*_weight): the score, up and down votes, flags.
export function communityVotes(votes) {
  if (!votes) return null;
  if (!votes.up && !votes.down && !votes.flags) {
    return h('p', { class: 'community muted', dataset: { testid: 'community' },
      title: 'Community score: weighted votes and flags from the public voting page' }, 'Community: no votes yet');
  }
  const flags = `${votes.flags} flag${votes.flags === 1 ? '' : 's'}`;
  return h('p', { class: `community${votes.flags ? ' flagged' : ''}`, dataset: { testid: 'community' },
    title: 'Community score: weighted votes and flags from the public voting page' },
  `Community ${Number(votes.score).toFixed(1)} · ▲ ${votes.up} ▼ ${votes.down} · `,
  h('span', { dataset: { testid: 'community-flags' } }, flags));
}

// Keeps Tab and Shift+Tab inside `container` (a dialog drawn over the page): from its last control Tab goes to its
// first and back; a focus outside it (on the page behind, or nowhere after a redraw) comes in. Call on keydown.
export function trapTab(container, event) {
  if (event.key !== 'Tab') return;
  const controls = [...container.querySelectorAll('button, [href], input, select, textarea, [tabindex]')]
    .filter((el) => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length);
  if (!controls.length) return;
  const [first, last] = [controls[0], controls.at(-1)];
  const inside = container.contains(document.activeElement) && document.activeElement !== container;
  if (!inside || (event.shiftKey && document.activeElement === first) || (!event.shiftKey && document.activeElement === last)) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  }
}

// True when keys typed now belong to a form control (typing, choosing) or to an open dialog, not to page shortcuts:
// behind a dialog asking "Delete for good?", Ctrl-Z must not change what it asks about.
// A decision made by a tap or a click. Once it decides, the next photo's buttons take the place of this one's, so the
// second tap of a double tap (or click of a double click) would decide a photo nobody saw: it is dropped, and said
// so. A touch tap within DOUBLE_TAP_MS of the last decision tap counts as such a second tap too (a browser need not
// count taps as clicks). A button pressed from the keyboard (detail 0) is never held back.
const DOUBLE_TAP_MS = 600;
let lastPointer = '';
let lastTouchDecision = -Infinity;
document.addEventListener('pointerdown', (e) => { lastPointer = e.pointerType; }, true);
export function decisionTap(handler) {
  return (e) => {
    const byPointer = !!e && e.detail > 0;
    const touch = byPointer && (lastPointer === 'touch' || lastPointer === 'pen');
    const now = performance.now();
    if (byPointer && (e.detail > 1 || (touch && now - lastTouchDecision < DOUBLE_TAP_MS))) {
      toast('That second tap came as the next photo appeared, so it was not applied: tap again to decide this one.');
      return;
    }
    if (touch) lastTouchDecision = now;
    handler(e);
  };
}

// The keyboard's double press: a decision key pressed twice in quick succession decides the photo it was pressed on,
// then the one that took its place, which nobody saw (and the toast names only the second). The same key again on
// another photo shown for less than DOUBLE_PRESS_MS, with nothing between the two presses (another key, a click,
// another page), is such a second press, however long the first decision took to be saved. `key` is the key pressed
// (Delete counts as d), `photo` what it acts on (an item id), `name` its file name, `shownAt` when it appeared
// (performance.now()); returns the words to say when the press is to be dropped, else '' (the press counts).
const DOUBLE_PRESS_MS = 350;
const pressKey = (key) => (key === 'Delete' ? 'd' : key);
let lastPress = null;   // {key, photo} of the last decision key, until something else happens
document.addEventListener('keydown', (e) => { if (lastPress && pressKey(e.key) !== lastPress.key) lastPress = null; }, true);
document.addEventListener('pointerdown', () => { lastPress = null; }, true);
window.addEventListener('hashchange', () => { lastPress = null; });
export function secondPress(key, photo, name, shownAt) {
  const again = !!lastPress && pressKey(key) === lastPress.key && photo !== lastPress.photo &&
    performance.now() - shownAt < DOUBLE_PRESS_MS;
  lastPress = { key: pressKey(key), photo: again ? lastPress.photo : photo };
  return again ? `The second “${key}” came as ${name} appeared, so it was not applied: press ${key} again to decide it.`
    : '';
}

// Holding a key down repeats it: a letter that decides (d deletes, k keeps) would decide photo after photo, each
// shown for a moment. Outside text fields, a repeat of a letter, Delete or Enter is dropped before any page's keys
// see it; arrows and Page keys still repeat, to move along.
export function dropRepeatedDecisionKeys() {
  document.addEventListener('keydown', (e) => {
    if (!e.repeat || typingInFormControl(e)) return;
    if (e.key.length === 1 || e.key === 'Delete' || e.key === 'Backspace' || e.key === 'Enter') {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
}

// Whether Ctrl-Z is the field's own (text being typed has its own undo) or belongs behind an open dialog: not on a
// check box, radio button or slider just used, which have none, so that the page's undo acts there.
// Nor on an empty text field nobody has typed in: focus lands in the next face's name box after a face is named,
// and Ctrl-Z there has nothing of its own to take back (a field typed in and emptied again keeps its own undo).
export function fieldOwnsUndo(event) {
  const el = event.target instanceof Element ? event.target : document.activeElement;
  const choice = el && el.tagName === 'INPUT' && ['checkbox', 'radio', 'range'].includes(el.type);
  const untouched = el && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && !choice)) && el.value === '' &&
    !typedIn.has(el);
  if ((choice || untouched) && !document.querySelector('dialog[open]') && !el.closest('dialog')) return false;
  return typingInFormControl(event);
}
// The text fields typed in (their own undo has something to take back).
const typedIn = new WeakSet();
document.addEventListener('input', (e) => { if (e.target instanceof Element) typedIn.add(e.target); }, true);

export function typingInFormControl(event) {
  if (document.querySelector('dialog[open]')) return true;
  const el = event.target instanceof Element ? event.target : document.activeElement;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) || !!el.closest('dialog');
}

// A face cut out of its photo's thumbnail by the stored box (with a margin), `size` px square. `box` is in the
// photo's own pixels ({x, y, w, h}); without an item or box, `fallback` text stands in.
export function faceCrop(item, box, size, fallback = '') {
  if (!item || !box || !item.width) {
    const none = h('span', { class: 'face-crop none' }, fallback);
    Object.assign(none.style, { width: `${size}px`, height: `${size}px` });
    return none;
  }
  const { x, y, w, h: bh } = box;
  const side = Math.max(w, bh) * 1.3;
  const scale = size / side;
  const left = (x + w / 2 - side / 2) * scale;
  const top = (y + bh / 2 - side / 2) * scale;
  const img = h('img', { src: `${item.thumbnail_url}?size=640`, alt: `Face in ${item.file_name}`,
    loading: 'lazy', dataset: { box: `${x},${y},${w},${bh}` } });
  // Placed through the style object: the page's Content-Security-Policy refuses inline style attributes.
  Object.assign(img.style, { width: `${item.width * scale}px`, height: `${item.height * scale}px`,
    left: `${-left}px`, top: `${-top}px` });
  const crop = h('span', { class: 'face-crop' }, img);
  Object.assign(crop.style, { width: `${size}px`, height: `${size}px` });
  return crop;
}

// A reference face (or a person's avatar) as the server describes it: cut out of its photo by the stored box, or the
// picture cut out of the file it was enrolled from (`crop_url`); else `fallback` in a grey box.
export function referenceFace(view, size, fallback = '') {
  if (!view || view.item || !view.crop_url) return faceCrop(view && view.item, view && view.box, size, fallback);
  const img = h('img', { src: view.crop_url, alt: fallback ? `Face from ${fallback}` : 'Reference face', loading: 'lazy' });
  Object.assign(img.style, { width: `${size}px`, height: `${size}px`, left: '0', top: '0', objectFit: 'cover' });
  const crop = h('span', { class: 'face-crop' }, img);
  Object.assign(crop.style, { width: `${size}px`, height: `${size}px` });
  return crop;
}

// The two pages of the People section, as tabs at the top of each: the faces found in the photos (clusters, named
// once) and the persons enrolled for sorting (reference faces, whitelist, blacklist). `active`: 'clusters' | 'enrolled'.
export function peopleTabs(active) {
  const tab = (key, href, label) => h('a', { href, class: `tab${active === key ? ' active' : ''}`,
    'aria-current': active === key ? 'page' : null, dataset: { testid: `people-tab-${key}` } }, label);
  return h('nav', { class: 'tabs', 'aria-label': 'People' },
    tab('clusters', '#/people', 'Face clusters'), tab('enrolled', '#/persons', 'Enrolled persons'));
}

// Runs `run` once for a form or a group of buttons (`box`): a second click (a double click) while the first is on its
// way is ignored, and the box's buttons are disabled until it is done.
export function once(box, run) {
  if (box.dataset.busy) return Promise.resolve();
  box.dataset.busy = '1';
  for (const b of box.querySelectorAll('button')) b.disabled = true;
  return Promise.resolve().then(run).finally(() => {
    delete box.dataset.busy;
    for (const b of box.querySelectorAll('button')) b.disabled = false;
  });
}

// How each person is shown: the name as typed ("Bernadette Rostenkowski") for the folder name the catalog and the URLs
// use (bernadette_rostenkowski), learnt by the API layer from every answer that lists or returns persons (api.js).
const shownNames = new Map();
export function learnPersonNames(persons) {
  for (const p of persons || []) if (p && p.name) shownNames.set(p.name, p.display_name || p.name);
  return persons;
}
export function personName(name) { return (name && shownNames.get(name)) || name; }

// The folder name a person gets (as the server makes it): spaces around it dropped, lower case, accented Latin letters
// as their base letters, spaces and dashes as _ (several in a row as one), other signs dropped.
const LATIN = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', þ: 'th', ł: 'l', ı: 'i', ħ: 'h', ŧ: 't', ŀ: 'l' };
export function personKey(name) {
  return name.trim().toLowerCase().replace(/[ßæœøđðþłıħŧŀ]/g, (c) => LATIN[c]).normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '').replace(/[ -]/g, '_').replace(/[^a-z0-9_]/g, '')
    .replace(/_+/g, '_');
}
// The folder name of the person `typed` names: a person's whose name is written so (any script, any case: "ОЛЬГА" is
// olga's, "张伟" person_…'s, folder names only the server makes), else personKey(typed) — '' for a name in another
// script that nobody has yet.
export function personKeyOf(typed) {
  const text = String(typed || '').trim().toLocaleLowerCase();
  if (!text) return '';
  for (const [name, shown] of shownNames) if (String(shown).trim().toLocaleLowerCase() === text) return name;
  return personKey(text);
}
