// Keys pressed on the review card while it cannot take them: a decision (or an undo) is on its way, or the next card
// is loading. One key waits, and then acts only if the photo it was pressed on is still the one shown, never on the
// photo that took its place; the card says that it waits, that a second key was not taken, or that it was not applied.
import { h } from './dom.js';

export const keyName = (key) => ({ ArrowLeft: '←', ArrowRight: '→', ArrowUp: '↑', ArrowDown: '↓', ' ': 'Space' })[key]
  || key;

// `body`: the element the card is mounted in; `itemOf(id)`: the queue's item with that id; `shown()`: {item, card} of
// the card that takes keys now, or null; `settled()`: true when nothing is on its way; `act(key)`: the key on the card
// shown.
export function keyWaiter({ body, itemOf, shown, settled, act }) {
  let waiting = null;   // {key, item, name}: the key, and the photo on screen when it was pressed (item 0: none)

  function notice(card, text) {
    const host = card ? card.querySelector('.details') : body;
    let note = host.querySelector(':scope > [data-testid="key-notice"]');
    if (!note) {
      note = h('p', { class: 'notice', role: 'status', dataset: { testid: 'key-notice' } });
      host.prepend(note);
    }
    note.textContent = text;
  }

  // `key` was pressed while the card could not take it.
  function wait(key) {
    const card = body.querySelector('[data-testid="review-card"]');
    if (waiting) {
      notice(card, `Still saving the last change: “${keyName(waiting.key)}” waits already, so “${keyName(key)}” was ` +
        'not taken. Press it again once the photo is shown.');
      return;
    }
    const item = card ? itemOf(Number(card.dataset.itemId)) : null;
    waiting = { key, item: item ? item.id : 0, name: item ? item.file_name : '' };
    notice(card, `Saving the last change: “${keyName(key)}” then acts on this photo if it is still the one shown.`);
  }

  // Called whenever the page may have settled: the key that waited acts, or the card says why it did not.
  function settle() {
    if (!waiting || !settled()) return;
    const { key, item, name } = waiting;
    waiting = null;
    const card = shown();
    if (card && item && card.item.id === item) { act(key); return; }
    const why = item ? `you pressed it on ${name}, which is no longer the photo shown`
      : 'you pressed it before a photo was shown';
    notice(card && card.card, `“${keyName(key)}” was not applied: ${why}.` +
      (card ? ` Press it again to act on ${card.item.file_name}.` : ''));
  }

  return { wait, settle };
}
