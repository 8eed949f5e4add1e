// Live updates: while someone is logged in and the tab is visible, one short request to GET /api/changes every few
// seconds (never a request held open, so the page goes quiet between polls). Listeners hear every answer, with
// whether the catalog's version moved since the last one: a worker, `triage ingest` or another reviewer changed it.
import { api, qs } from './api.js';

const POLL_MS = 2500;
let running = false;
let timer = null;
let inFlight = false;
let version = null;   // the last version heard; null before the first answer
const listeners = new Set();
const connectionListeners = new Set();
let reachable = true;   // whether the last poll got an answer

// Calls fn(reachable) whenever the server stops or starts answering the polls (for the whole session).
export function onConnection(fn) {
  connectionListeners.add(fn);
}

function heard(answered) {
  if (answered === reachable) return;
  reachable = answered;
  for (const fn of [...connectionListeners]) {
    try { fn(answered); } catch (err) { console.error(err); }
  }
}

// Calls fn(answer, changed) after each poll until `signal` aborts (a view unmounting).
export function onChanges(fn, signal) {
  if (signal.aborted) return;
  listeners.add(fn);
  signal.addEventListener('abort', () => listeners.delete(fn), { once: true });
}

function schedule(ms) {
  clearTimeout(timer);
  timer = running && document.visibilityState === 'visible' ? setTimeout(poll, ms) : null;
}

async function poll() {
  timer = null;
  if (!running || inFlight || document.visibilityState !== 'visible') return;
  inFlight = true;
  let pause = POLL_MS;
  try {
    const out = await api.get('/api/changes' + qs({ since: version, wait: 0 }));
    const changed = version !== null && out.version !== version;
    version = out.version;
    pause = Math.max(POLL_MS, (out.poll_after_s || 0) * 1000);
    heard(true);
    for (const fn of [...listeners]) {
      try { fn(out, changed); } catch (err) { console.error(err); }
    }
  } catch (err) {
    if (err.status === 503) running = false;   // this server runs without live updates
    else if (err.status === 0) heard(false);   // not reached: stopped, restarting, or the network is down
  } finally { inFlight = false; }
  if (running && !timer) schedule(pause);
}

// Starts polling (after a login); the first answer sets the version the next ones compare against.
export function startLive() {
  clearTimeout(timer);
  timer = null;
  running = true;
  version = null;
  poll();
}

// Stops polling (logged out).
export function stopLive() {
  running = false;
  clearTimeout(timer);
  timer = null;
}

// A hidden tab asks nothing; when it shows again it asks at once, so what changed meanwhile shows without delay.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') poll(); else schedule(0);
});
