// The 1:1 loupe of the review card: with a mouse or pen, a round lens that shows the original file's own pixels under
// the pointer; on a touch screen (or when the button is tapped), the original at 1:1 in a view panned with a finger.
// `z` or the button toggles it, Esc closes it.
import { h } from './dom.js';

const LENS_PX = 260;   // the lens's diameter on screen

const finePointer = () => window.matchMedia('(hover: hover) and (pointer: fine)').matches;
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

// `stage` holds the photo shown on the card (position: relative; its first <img> is the picture). Returns
// {button, toggle(), close(), isOpen()}.
export function photoLens(item, stage) {
  let lens = null;
  let pan = null;
  let pointer = null;   // where the pointer was last over the photo
  let touched = false;  // the button was just pressed by a finger: tapping opens the pannable view
  const original = new Image();   // loaded once, on first use; its natural size is the upright photo's
  const loaded = new Promise((resolve, reject) => {
    original.addEventListener('load', resolve, { once: true });
    original.addEventListener('error', () => reject(new Error('the original could not be loaded')), { once: true });
  });
  const load = () => { if (!original.src) original.src = item.original_url; return loaded; };

  const button = h('button', { type: 'button', class: 'lens-toggle', dataset: { testid: 'lens-toggle' },
    'aria-pressed': 'false', title: 'See the original pixels 1:1 (z); Esc closes',
    onpointerdown: (e) => { touched = e.pointerType === 'touch'; },
    onclick: () => { toggle(touched ? 'pan' : undefined); touched = false; } },
  '1:1 loupe', h('kbd', {}, 'z'));

  const picture = () => stage.querySelector('img');

  // Where the picture is drawn inside its element (object-fit: contain may leave bands beside or above it).
  function drawnRect(img) {
    const box = img.getBoundingClientRect();
    const ratio = original.naturalWidth / original.naturalHeight;
    if (box.width / box.height > ratio) {
      const width = box.height * ratio;
      const left = box.left + (box.width - width) / 2;
      return { left, right: left + width, top: box.top, bottom: box.bottom, width, height: box.height };
    }
    const height = box.width / ratio;
    const top = box.top + (box.height - height) / 2;
    return { left: box.left, right: box.right, top, bottom: top + height, width: box.width, height };
  }

  // Centres the lens on (x, y) (client pixels, kept on the photo) and shows the original's pixel under it.
  function place(x, y) {
    const img = picture();
    if (!lens || !img || !original.naturalWidth) return;
    const r = drawnRect(img);
    const s = stage.getBoundingClientRect();
    const cx = clamp(x, r.left, r.right);
    const cy = clamp(y, r.top, r.bottom);
    const px = ((cx - r.left) / r.width) * original.naturalWidth;
    const py = ((cy - r.top) / r.height) * original.naturalHeight;
    Object.assign(lens.style, { left: `${cx - s.left - LENS_PX / 2}px`, top: `${cy - s.top - LENS_PX / 2}px`,
      backgroundPosition: `${LENS_PX / 2 - px}px ${LENS_PX / 2 - py}px` });
    Object.assign(lens.dataset, { x: Math.round(px), y: Math.round(py) });
  }
  const follow = (e) => { pointer = { x: e.clientX, y: e.clientY }; place(e.clientX, e.clientY); };
  stage.addEventListener('pointermove', follow);
  stage.addEventListener('pointerenter', follow);
  // A pointer that left the photo is no place to open the lens at (it would open at the edge, half off the photo).
  stage.addEventListener('pointerleave', () => { pointer = null; });

  function openLens() {
    lens = h('div', { class: 'lens', dataset: { testid: 'lens' }, 'aria-hidden': 'true' });
    Object.assign(lens.style, { width: `${LENS_PX}px`, height: `${LENS_PX}px` });
    stage.append(lens);
    stage.classList.add('lens-on');
    // On the middle of the photo while the original loads (not at the stage's corner, over whatever is there).
    const shown = picture();
    if (shown) {
      const b = shown.getBoundingClientRect();
      const s = stage.getBoundingClientRect();
      Object.assign(lens.style, { left: `${b.left + b.width / 2 - s.left - LENS_PX / 2}px`,
        top: `${b.top + b.height / 2 - s.top - LENS_PX / 2}px` });
    }
    load().then(() => {
      if (!lens) return;
      Object.assign(lens.style, { backgroundImage: `url("${item.original_url}")`,
        backgroundSize: `${original.naturalWidth}px ${original.naturalHeight}px` });
      lens.dataset.ready = 'yes';
      const r = drawnRect(picture());
      // Opened with the key while the pointer is off the photo (beside it, or never moved over it): the middle.
      const over = pointer && pointer.x >= r.left && pointer.x <= r.right && pointer.y >= r.top && pointer.y <= r.bottom;
      place(over ? pointer.x : r.left + r.width / 2, over ? pointer.y : r.top + r.height / 2);
    }).catch((err) => { if (lens) { lens.textContent = err.message; lens.classList.add('failed'); } });
  }

  // The original at 1:1 filling the screen, scrolled to the middle of the photo; a finger (or the scroll bars) pans.
  function openPan() {
    const img = h('img', { class: 'pan-image', alt: `${item.file_name} at 1:1`, draggable: false });
    const scroller = h('div', { class: 'pan-scroll', tabindex: '0', 'aria-label': 'The photo at 1:1; scroll to move' },
      img);
    const close = h('button', { type: 'button', dataset: { testid: 'pan-close' }, onclick: () => shut() }, 'Close');
    pan = h('div', { class: 'pan-view', role: 'dialog', 'aria-label': `${item.file_name} at 1:1`,
      dataset: { testid: 'pan-view' } },
    h('div', { class: 'pan-bar' }, h('span', {}, '1:1 — drag to move'), close), scroller);
    stage.closest('article').append(pan);
    close.focus();
    load().then(() => {
      img.src = item.original_url;
      return img.decode();
    }).then(() => {
      scroller.scrollLeft = (img.naturalWidth - scroller.clientWidth) / 2;
      scroller.scrollTop = (img.naturalHeight - scroller.clientHeight) / 2;
      pan.dataset.ready = 'yes';
    }).catch((err) => { if (pan) scroller.replaceChildren(h('p', { class: 'form-error' }, err.message)); });
  }

  function shut() {
    const wasPan = !!pan;
    if (lens) lens.remove();
    if (pan) pan.remove();
    lens = null;
    pan = null;
    stage.classList.remove('lens-on');
    button.setAttribute('aria-pressed', 'false');
    if (wasPan) button.focus();
  }

  // `mode`: 'pan' for the pannable view; by default the lens where there is a pointer that hovers, else the view.
  function toggle(mode) {
    if (lens || pan) { shut(); return; }
    if (mode === 'pan' || !finePointer()) openPan(); else openLens();
    button.setAttribute('aria-pressed', 'true');
  }

  return { button, toggle, close: shut, isOpen: () => !!(lens || pan) };
}
