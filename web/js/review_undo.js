// The undo lists of this tab: the undo tokens of its recent decisions, newest first, one list per page that makes
// them (the review queue, the trash, the enrolled persons, the face clusters). Ctrl-Z on a page and the toast's Undo
// take that page's decisions back one per press; a token the server refuses (the photo changed since, the token
// expired) is said and dropped, and the next press goes on with the decision before it.
import { api } from './api.js';
import { toast, offeredOnScreen } from './dom.js';

// The list outlives the page it was made on: after a look at another page (or another category) or a reload of the
// tab, Ctrl-Z on the review page still takes the decisions back. It is kept in the tab's sessionStorage; the server
// refuses a token already redeemed.
const STACK_KEY = 'triage.undoList';
export const MAX_UNDO = 20;   // decisions kept per page, newest first; an older one falls off the end

// The review view on screen: busy() while a decision is on its way, hold(on) stops its keys and buttons, after(entry)
// shows the queue as it is now (with the photo an undo brought back). None when another page is shown.
// `page` names the list the view's Ctrl-Z takes from.
const idleView = { page: '', busy: () => false, hold: () => {}, after: async () => {} };
let view = idleView;
let stack = restore();   // [{token, what, item, page}] newest first; `what` is the decision's sentence, `item` its
                         // photo's id, `page` the list it is on
const asked = [];        // presses not served yet: null (the newest decision) or the entry a toast offered
let draining = false;
// Counts logouts: a decision answered after its user logged out offers no undo to whoever logs in next, and an undo
// asked for before a logout is not sent after it.
let epoch = 0;

function restore() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STACK_KEY) || '[]');
    if (!Array.isArray(saved)) return [];
    return saved.filter((e) => e && typeof e.token === 'string' && e.token).slice(0, 4 * MAX_UNDO)
      .map((e) => ({ token: e.token, what: String(e.what || 'a decision'), item: Number(e.item) || 0,
        page: String(e.page || 'review') }));
  } catch (_) { return []; }
}
function save() {
  try {
    if (stack.length) sessionStorage.setItem(STACK_KEY, JSON.stringify(stack)); else sessionStorage.removeItem(STACK_KEY);
  } catch (_) { /* storage off: the list lasts as long as the page */ }
}

// The review page on screen takes the undos (and shows their result) until its signal aborts.
export function attachUndoView(thisView, signal) {
  view = { page: 'review', ...thisView };
  const attached = view;
  signal.addEventListener('abort', () => { if (view === attached) view = idleView; });
}

export const undoEpoch = () => epoch;

// Puts a decision's token (or several, separated by spaces, redeemed in order) on top of `page`'s list; returns its
// entry for the decision's toast.
export function rememberDecision(token, what, item = 0, page = 'review') {
  const entry = { token, what: what.replace(/\.+$/, ''), item, page };
  push(entry);
  return entry;
}

// `entry` on top of its page's list, which keeps its MAX_UNDO newest.
function push(entry) {
  const kept = {};
  stack = [entry, ...stack].filter((e) => { kept[e.page] = (kept[e.page] || 0) + 1; return kept[e.page] <= MAX_UNDO; });
  save();
}

// The decisions on `page`'s list, newest first.
const listOf = (page) => stack.filter((e) => e.page === page);

// Logging out ends the list: the next user of the tab cannot take back this user's decisions with a key.
export function forgetUndo() {
  epoch += 1;
  stack = [];
  asked.length = 0;
  save();
}

// The toast's button that takes `entry` back (the toast keeps the entry, for Ctrl-Z on a page with none of its own).
export const undoOffer = (entry, label = 'Undo') => ({ label, run: () => askUndo(entry), entry });

// Ctrl-Z (no entry: the newest decision) or a toast's Undo (its entry). Presses are served one after the other, each
// once the page has settled: Ctrl-Z right after a decision takes back that decision rather than the one before.
export function askUndo(entry = null) {
  asked.push(entry);
  if (!draining) drain();
}

async function drain() {
  draining = true;
  try {
    while (asked.length) {
      while (view.busy()) await new Promise((resolve) => { setTimeout(resolve, 50); });
      const wanted = asked.shift();
      // Nothing of this page's own to take back: the decision whose Undo the toast on screen still offers (a photo
      // deleted in review, then the trash opened) is the last one the user sees, and Ctrl-Z takes that.
      const entry = wanted || listOf(view.page)[0] || offeredOnScreen();
      if (!entry || !stack.includes(entry)) {
        toast(wanted ? `Nothing to undo: “${wanted.what}” is no longer in this tab's undo list.`
          : `Nothing to undo: Ctrl-Z takes back this tab's last ${MAX_UNDO} decisions` +
            `${view.page === 'review' ? '' : ' on this page'}, newest first, and none is left.`);
        continue;
      }
      stack = stack.filter((e) => e !== entry);
      save();
      await redeem(entry);
    }
  } finally { draining = false; }
}

// An action on the face clusters (name, merge, split, hide, ...) is taken back by its id through the people log, not
// by an undo token: its entry's token is PEOPLE_ACTION + the id (peopleActionToken).
const PEOPLE_ACTION = 'people:';
export const peopleActionToken = (actionId) => `${PEOPLE_ACTION}${actionId}`;
async function undoPeopleAction(actionId, what) {
  const out = await api.post('/api/people/undo', { action_id: Number(actionId) });
  const back = out.restored_items && out.restored_items.length
    ? ` (${out.restored_items.length} photo${out.restored_items.length === 1 ? '' : 's'} moved back)` : '';
  return { summary: `${what}${back}` };
}

const previousOffer = (page) => {
  const [next] = listOf(page);
  return next ? undoOffer(next, 'Undo previous') : null;
};

async function redeem(entry) {
  const shown = view;
  const since = epoch;
  shown.hold(true);
  let first = null;
  let failed = false;
  try {
    // A face named as a person added for it: the naming, then the person. A token redeemed is dropped from the entry,
    // so that a retry after a failure sends only the rest.
    for (const each of entry.token.split(' ').filter(Boolean)) {
      const out = each.startsWith(PEOPLE_ACTION) ? await undoPeopleAction(each.slice(PEOPLE_ACTION.length), entry.what)
        : await api.post(`/api/undo/${encodeURIComponent(each)}`);
      first = first || out;
      entry.token = entry.token.split(' ').filter((t) => t && t !== each).join(' ');
    }
  } catch (err) {
    failed = true;
    if (since === epoch) refused(entry, err);
  } finally { shown.hold(false); }
  if (since !== epoch) return;
  if (first && !failed) {
    const left = listOf(entry.page).length;
    const more = left ? ` ${left} more can be taken back.` : '';
    // A photo sorted under a person is said as the decision's own toast said it, with the person's name as written (the
    // server's summary names the folder: "approved a.jpg as brand_new_guy").
    const said = first.kind === 'approve' && /^Sorted /.test(entry.what)
      ? `s${entry.what.slice(1)}` : first.summary.replace(/\.+$/, '');
    toast(`Undone: ${said}.${more}`, 'info', previousOffer(entry.page));
  }
  await shown.after(first ? entry : null).catch((err) => toast(err.message, 'error'));
}

// 409 (the photo changed since, or the decision was undone already), 404 (expired) and 403 (not this user's) are final:
// the entry goes and the next press takes the decision before it. Anything else (the server unreachable, the session
// ended) keeps it on top for another try.
function refused(entry, err) {
  const why = err.message.replace(/\.+$/, '');
  if ([403, 404, 409].includes(err.status)) {
    const next = listOf(entry.page).length ? ' Ctrl-Z goes on with the decision before it.'
      : ' Nothing else is left to undo.';
    toast(`Could not undo “${entry.what}”: ${why}.${next}`, 'error', previousOffer(entry.page));
    return;
  }
  push(entry);
  if (err.status === 401) return;   // the session ended: the login form says so (app.js)
  toast(`Could not undo “${entry.what}” just now: ${why}. Ctrl-Z tries it again.`, 'error');
}
