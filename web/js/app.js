// The web UI's entry: login, the top bar, and a hash router over the pages.
import { api, setCsrfToken, ApiError } from './api.js';
import { h, mount, toast, clearToast, clearStaleToast, dropRepeatedDecisionKeys } from './dom.js';
import { renderReview } from './review.js';
import { forgetUndo } from './review_undo.js';
import { renderGallery } from './gallery.js';
import { renderPersons } from './persons.js';
import { renderPeople } from './people.js';
import { renderStats } from './stats.js';
import { renderAudit } from './audit.js';
import { renderSettings } from './settings.js';
import { renderTrash } from './trash.js';
import { renderProposals } from './proposals.js';
import { onChanges, onConnection, startLive, stopLive } from './live.js';

const pages = {
  review: renderReview,
  gallery: renderGallery,
  persons: renderPersons,
  people: renderPeople,
  stats: renderStats,
  audit: renderAudit,
  settings: renderSettings,
  trash: renderTrash,
  proposals: renderProposals,
};

export const session = { user: '', role: '', permissions: {} };
// The view on screen: its own element (a page that finishes loading after the user moved on draws into a detached
// element, never over the current page), an AbortController whose signal removes the view's listeners, and the
// clean-up its page returned.
let view = null;

// A page with edits not yet saved sets this through `guardLeaving` (a function that names what would be lost, or ''
// when nothing would): leaving it through the navigation asks first, and closing or reloading the tab has the browser
// ask. Cleared with the page.
let leaveGuard = null;
let shownAddress = location.href;

function endView() {
  leaveGuard = null;
  if (!view) return;
  view.controller.abort();
  if (view.cleanup) view.cleanup();
  view = null;
}

// The nav's count of photos waiting for review, kept current by the live updates while logged in.
let liveSession = null;
function showPendingInNav(total) {
  const link = document.querySelector('#nav a[data-page="review"]');
  let badge = link.querySelector('.nav-count');
  if (!badge) {
    badge = h('span', { class: 'nav-count', dataset: { testid: 'nav-pending' }, title: 'Photos waiting for review' });
    link.append(badge);
  }
  badge.textContent = String(total);
  badge.hidden = !total;
}
// A page that has just read the queue (the review page after each decision) tells the nav at once, not at the next poll.
dropRepeatedDecisionKeys();
window.addEventListener('triage:pending', (e) => { if (session.user) showPendingInNav(e.detail); });
function startLiveUpdates() {
  if (liveSession) liveSession.abort();
  liveSession = new AbortController();
  onChanges((out) => showPendingInNav(out.total_pending), liveSession.signal);
  startLive();
}
function stopLiveUpdates() {
  stopLive();
  if (liveSession) liveSession.abort();
  liveSession = null;
}

// The demo's login (`triage serve --demo-login`: a known password, loopback only), as the server said it; null otherwise.
let demoLogin = null;

// `notice`: the message is news, not an error (logged out on purpose).
function showLogin(message = '', { notice = false } = {}) {
  stopLiveUpdates();
  endView();
  document.getElementById('topbar').hidden = true;
  const error = h('p', { class: notice ? 'form-error form-notice' : 'form-error', role: 'alert' }, message);
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  let signingIn = false;   // a double click or a second Enter logs in once
  const form = h('form', { class: 'login card', onsubmit: async (e) => {
    e.preventDefault();
    if (signingIn) return;
    signingIn = true;
    try {
      const me = await api.post('/api/auth/login', { username: user.value, password: pass.value });
      start(me);
    } catch (err) {
      error.textContent = err.status === 429 ? err.message : 'Wrong user name or password.';
      if (err.status !== 401 && err.status !== 429) error.textContent = err.message;
      // Refused: the password goes and the box waits for it again, as the user name stays.
      if (err.status === 401) { pass.value = ''; pass.focus(); }
    } finally { signingIn = false; }
  } },
  h('h1', {}, 'triage'),
  h('p', { class: 'muted' }, 'Log in to review photos.'),
  h('label', {}, 'User name', user),
  h('label', {}, 'Password', pass),
  error,
  h('button', { type: 'submit', class: 'primary' }, 'Log in'),
  // A first visit has nobody to ask: the page says where a login comes from (the demo's, filled in).
  demoLogin
    ? h('p', { class: 'muted small', dataset: { testid: 'login-help' } }, 'This is the demo: log in as ',
      h('code', {}, demoLogin.user), ' with the password ', h('code', {}, demoLogin.password),
      ' (filled in). Your own users are made with ', h('code', {}, 'triage user add NAME --role ROLE'), '.')
    : h('p', { class: 'muted small', dataset: { testid: 'login-help' } }, 'First time here? ',
      h('code', {}, 'triage serve'), ' prints how to log in when it starts; more users are made with ',
      h('code', {}, 'triage user add NAME --role ROLE'), '.'));
  mount(document.getElementById('app'), h('div', { class: 'login-wrap' }, form));
  if (demoLogin) {
    user.value = demoLogin.user;
    pass.value = demoLogin.password;
    form.querySelector('button[type="submit"]').focus();
  } else {
    user.focus();
  }
}

// While the server does not answer, the pill says so rather than the last state it reported; once it answers
// again, the state is asked anew.
onConnection((reachable) => {
  const pill = document.getElementById('sort-state');
  if (!pill) return;
  if (reachable) { refreshSortState(); return; }
  pill.textContent = 'Offline';
  pill.title = 'The server is not answering: it may be stopped or restarting. This page reconnects by itself.';
  pill.className = 'status-pill offline';
});

async function refreshSortState() {
  try {
    const status = await api.get('/api/status');
    const pill = document.getElementById('sort-state');
    pill.textContent = status.auto_sort_enabled ? 'Auto-sorting on' : 'Auto-sorting paused';
    pill.className = `status-pill ${status.auto_sort_enabled ? 'on' : 'off'}`;
    pill.title = 'Auto-sorting';
  } catch (_) { /* the page shows its own errors */ }
}

function route() {
  if (!session.user) return;
  endView();
  clearStaleToast();
  // A query after the path (#/gallery?sort=date) is the page's own state: it reads it from location.hash.
  const [, name = 'review', ...rest] = (location.hash || '#/review').split('?')[0].split('/');
  // #/people/enrolled is the People section's second tab, the enrolled persons (#/persons). An address that names no
  // page (a mistyped or outdated link) says so, rather than showing another page as if it were the one asked for.
  const page = name === 'people' && rest[0] === 'enrolled' ? 'persons'
    : pages[name] ? name : name === '' ? 'review' : 'missing';
  // One navigation entry per section: People holds the face clusters and the enrolled persons (tabs on the pages).
  const section = page === 'persons' ? 'people' : page;
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.page === section);
    if (a.dataset.page === section) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  // The window's title names the page (tabs, history, a screen reader announcing the change).
  const titles = { review: 'Review', gallery: 'Gallery', proposals: 'Proposals', people: 'People', persons:
    'Enrolled persons', stats: 'Statistics', trash: 'Trash', audit: 'Audit log', settings: 'Settings',
    missing: 'Page not found' };
  document.title = titles[page] ? `${titles[page]} · triage` : 'triage';
  shownAddress = location.href;
  const current = { controller: new AbortController(), cleanup: null };
  view = current;
  const root = h('div', { class: 'view', dataset: { page } }, h('p', { class: 'muted' }, 'Loading…'));
  mount(document.getElementById('app'), root);
  const { signal } = current.controller;
  const guardLeaving = (fn) => { if (view === current) leaveGuard = fn; };
  const render = page === 'missing' ? renderMissing : pages[page];
  Promise.resolve(render(root, rest, { session, refreshSortState, signal, guardLeaving }))
    .then((fn) => {
      if (typeof fn !== 'function') return;
      if (view === current) current.cleanup = fn; else fn();   // the user moved on while it loaded
    })
    .catch((err) => {
      if (signal.aborted || (err instanceof ApiError && err.status === 401)) return;
      // The server could not be reached (stopped, restarting, the network gone): said in words, with a way to try
      // again that does not lose the address.
      const unreachable = err instanceof ApiError && err.status === 0;
      // Once the live updates hear from the server again, the page loads by itself.
      if (unreachable) onChanges(() => { if (view === current && !signal.aborted) route(); }, signal);
      mount(root, h('div', { class: 'card error', role: 'alert', dataset: { testid: 'page-failed' } },
        h('h1', {}, unreachable ? 'The server could not be reached' : 'This page could not be loaded'),
        h('p', {}, unreachable ? 'triage did not answer: it may be stopped or restarting, or the network is down. ' +
          'Nothing was changed. The page loads again by itself once the server answers.' : err.message),
        h('p', {}, h('button', { type: 'button', dataset: { testid: 'page-retry' }, onclick: () => route() },
          'Try again'))));
    });
}

// The page for an address that names none: what was asked for and where to go instead.
function renderMissing(root) {
  const asked = (location.hash || '').split('?')[0];
  mount(root, h('div', { class: 'card', dataset: { testid: 'page-missing' } },
    h('h1', {}, 'No such page'),
    h('p', {}, 'There is no page at ', h('code', {}, asked), ': the link may be mistyped or out of date.'),
    h('p', {}, 'Go to ', h('a', { href: '#/review' }, 'Review'), ' or the ', h('a', { href: '#/gallery' }, 'Gallery'),
      '.')));
}

function start(me) {
  Object.assign(session, { user: me.user, role: me.role, permissions: me.permissions || {} });
  setCsrfToken(me.csrf_token);
  document.getElementById('topbar').hidden = false;
  document.getElementById('user-badge').textContent = `${me.user} · ${me.role}`;
  document.getElementById('logout').hidden = me.mode === 'no_auth';
  refreshSortState();
  startLiveUpdates();
  // How persons are shown (their names as typed) before the first page names anyone; a page draws without them if
  // the list cannot be had.
  api.get('/api/persons').catch(() => {}).finally(route);   // the API layer learns how names are written
}

// The login page after a session: the server is asked again whether this is the demo (a page loaded while logged in
// never heard its login, and showed an empty form without it).
// `message` undefined: the form is on screen already, and is drawn again only when what it offers changed.
async function showLoginAgain(message, options = {}) {
  const before = demoLogin?.password;
  try { demoLogin = (await api.get('/api/auth/session')).demo_login || null; } catch (_) { /* as it was */ }
  if (!session.user && (message !== undefined || demoLogin?.password !== before)) showLogin(message, options);
}

document.getElementById('logout').addEventListener('click', async () => {
  try { await api.post('/api/auth/logout'); } catch (_) { /* logged out anyway */ }
  session.user = '';
  forgetUndo();
  clearToast();
  await showLoginAgain('You are logged out.', { notice: true });
});
window.addEventListener('hashchange', () => {
  const lost = leaveGuard ? leaveGuard() : '';
  if (lost && !window.confirm(`${lost} Leave this page without saving?`)) {
    history.replaceState(history.state, '', shownAddress);   // stay: the address goes back to this page's
    return;
  }
  route();
});
window.addEventListener('beforeunload', (e) => {
  if (leaveGuard && leaveGuard()) e.preventDefault();
});
// The skip link moves the keyboard past the navigation to the page's content (without touching the route in the hash).
document.getElementById('skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('app').focus();
});
window.addEventListener('triage:logged-out', (e) => {
  if (!session.user) return;
  session.user = '';
  toast(e.detail && e.detail.unsaved
    ? 'Your session ended, so the change you just made was not saved: log in again and make it again.'
    : 'Your session ended; please log in again.', 'error');
  showLogin();
  showLoginAgain();
});

// /api/auth/session answers 200 whether or not anybody is logged in: a first visit logs no failed request.
api.get('/api/auth/session').then((me) => {
  demoLogin = me.demo_login || null;
  if (me.logged_in) start(me); else showLogin();
}).catch(() => showLogin());
