// Decisions made outside the review page (a photo restored from the trash, a person enrolled, a list changed, a face
// cluster named or hidden) go on their page's undo list (review_undo.js), newest first: the toast's Undo and Ctrl-Z on
// that page take them back one per press.
import { toast, fieldOwnsUndo } from './dom.js';
import { attachUndoView, askUndo, rememberDecision, undoOffer } from './review_undo.js';

// Says what a decision did (a toast of `kind`) and puts its undo token on `page`'s list; without a token the message
// is shown alone.
export function offerUndo(message, token, page, kind = 'info') {
  if (!token) { toast(message, kind); return; }
  const entry = rememberDecision(token, message, 0, page);
  toast(message, kind, undoOffer(entry));
}

// A page that takes its undos until `signal` aborts: Ctrl-Z (outside a text field, whose own undo it is, and never
// behind an open dialog) takes back the newest decision on `page`'s list, and `redraw` shows the page as it is after
// each undo.
export function attachUndoPage(page, redraw, signal) {
  attachUndoView({ page, busy: () => false, hold: () => {},
    after: async () => { if (!signal.aborted) await redraw(); } }, signal);
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || e.key.toLowerCase() !== 'z') return;
    if (fieldOwnsUndo(e)) return;
    e.preventDefault();
    askUndo();
  }, { signal });
}
