// What the browser tests share: a temporary library filled through the real `triage` binary, `triage serve` on
// 127.0.0.1 with a free port, and headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const triage = process.env.TRIAGE_BIN;
export const sourceDir = process.env.TRIAGE_SOURCE_DIR || path.resolve(import.meta.dirname, '../..');
export const fixtures = path.join(sourceDir, 'tests/fixtures/faces');
export const USER = 'tester';
export const PASSWORD = 'browser-test-password';

// A library with face analysis off (the tests are about the UI: every photo then waits for review as unidentified),
// an admin user, and the server running. `photos` are fixture names copied into an inbox (`[name, as]` pairs keep
// their order), `extra(inbox)` may add files, `configure(config)` may change triage.json before the ingest (e.g. turn
// faces on), `persons` ([name, fixture] pairs) are enrolled before the ingest (with faces on), `prepare(library)` runs
// before the server starts. `demo` serves as `make run` does: no user, `serve --demo-login`.
export async function openLibrary({ photos, extra, prepare, configure, persons = [], demo = false } = {}) {
  assert.ok(triage, 'TRIAGE_BIN must name the triage binary');
  const lib = { tmp: fs.mkdtempSync(path.join(os.tmpdir(), 'triage-browser-')) };
  lib.library = path.join(lib.tmp, 'library');
  lib.run = (args, input) => execFileSync(triage, ['--library', lib.library, ...args], { input, encoding: 'utf8' });
  lib.run(['init']);
  const configPath = path.join(lib.library, 'triage.json');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  config.analysis.faces = false;
  if (configure) configure(config);
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
  for (const [name, photo] of persons) lib.run(['person', 'add', name, path.join(fixtures, photo)]);
  const inbox = path.join(lib.tmp, 'incoming');
  fs.mkdirSync(inbox);
  (photos || []).forEach(([name, as]) => fs.copyFileSync(path.join(fixtures, name), path.join(inbox, as)));
  if (extra) extra(inbox);
  lib.run(['ingest', '--source', 'browser-test', inbox]);
  if (!demo) lib.run(['user', 'add', USER, '--role', 'admin'], `${PASSWORD}\n`);
  if (prepare) prepare(lib.library);
  lib.baseUrl = await startServer(lib, demo ? ['--demo-login'] : []);
  lib.context = await chromium.launchPersistentContext(path.join(lib.tmp, 'chromium-profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    baseURL: lib.baseUrl,
    acceptDownloads: true,
    viewport: { width: 1440, height: 900 },
  });
  lib.page = lib.context.pages()[0] || await lib.context.newPage();
  // GET an API path with the browser's session; asserts 200.
  // A kept-alive connection the server closed as idle just as the GET went out is retried once, as a browser does.
  lib.api = async (p) => {
    const url = new URL(p, lib.baseUrl).toString();
    let res;
    try { res = await lib.context.request.get(url); } catch (err) {
      if (!/ECONNRESET|socket hang up/.test(String(err.message))) throw err;
      res = await lib.context.request.get(url);
    }
    assert.equal(res.status(), 200, `${p}: ${await res.text()}`);
    return res.json();
  };
  lib.item = async (id) => (await lib.api(`/api/items/${id}`)).item;
  return lib;
}

// Starts `triage serve` on a free port and resolves with its URL once it prints it.
function startServer(lib, flags = []) {
  return new Promise((resolve, reject) => {
    lib.server = spawn(triage, ['--library', lib.library, 'serve', '--host', '127.0.0.1', '--port', '0', ...flags],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30000);
    lib.server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/on (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    lib.server.stderr.on('data', (d) => { out += d; });
    lib.server.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

export async function closeLibrary(lib) {
  if (!lib) return;
  if (lib.context) await lib.context.close();
  if (lib.server && lib.server.exitCode === null) {
    const exited = new Promise((r) => lib.server.once('exit', r));
    lib.server.kill('SIGTERM');
    await exited;
  }
  if (lib.tmp) fs.rmSync(lib.tmp, { recursive: true, force: true });
}

// Logs in from a fresh load of the app, or with `inPlace` on the login form already shown (the page's state kept).
export async function logIn(page, { inPlace = false } = {}) {
  if (!inPlace) await page.goto('/');
  await page.getByLabel('User name').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText(`${USER} · admin`).waitFor();
}

// The toast whose text starts with `text`, case and all: "Kept x" is not "Undone: kept x" (Playwright's own `hasText`
// matches anywhere and ignores case).
export function toastStarting(page, text) {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByTestId('toast-text').filter({ hasText: new RegExp(`^${escaped}`) });
}

// Resolves with the item once the server has it in `location` (polled; a decision's request may still be on its way
// when the key that sent it returns). Fails after `timeoutMs`.
export async function itemReaches(lib, id, location, timeoutMs = 20000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const item = await lib.item(id);
    if (item.location === location) return item;
    if (Date.now() > until) throw new Error(`item ${id} is in ${item.location}, not ${location}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Resolves once `check` (an async function run here, not in the page) returns a truthy value, polled; fails after
// `timeoutMs` naming `what`. For a server state that a click's request brings about: Playwright's waitForFunction
// does not wait for a promise, so an async page function given to it passes at once.
export async function eventually(what, check, timeoutMs = 20000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`not true after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function currentCardId(page) {
  const card = page.getByTestId('review-card');
  await card.waitFor();
  return Number(await card.getAttribute('data-item-id'));
}

// Opens the review queue of `category` afresh (by way of the Statistics page, so that it is drawn anew even when it is
// on screen) and resolves with the id of the card it shows first.
export async function openReviewQueue(page, category = 'unidentified') {
  await page.evaluate(() => { location.hash = '#/stats'; });
  await page.getByRole('heading', { level: 1, name: 'Statistics' }).waitFor();
  await page.evaluate((c) => { location.hash = `#/review/${c}`; }, category);
  return currentCardId(page);
}

export async function waitForCardChange(page, previousId) {
  await page.waitForFunction((id) => {
    const card = document.querySelector('[data-testid="review-card"]');
    return card && Number(card.dataset.itemId) !== id;
  }, previousId, { polling: 100 });
}

// Where screenshots go (TRIAGE_SCREENSHOT_DIR, set by CMake to <build>/screenshots); nothing is written without it.
export async function screenshot(page, name) {
  const dir = process.env.TRIAGE_SCREENSHOT_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const { width } = page.viewportSize();
  // The pictures on screen first (a loaded machine is slow to serve thumbnails): a screenshot is for looking at.
  await page.waitForFunction(() => [...document.images].filter((img) => img.loading !== 'lazy')
    .every((img) => img.complete), null, { timeout: 10000 }).catch(() => {});
  await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
}

// Runs `run` with the clock the page reads for "quickly" (performance.now) held still: two key presses made in it are
// a double press on any machine, however long what happens between them takes.
export async function withClockHeld(page, run) {
  await page.evaluate(() => {
    const held = performance.now();
    window.realNow = performance.now.bind(performance);
    performance.now = () => held;
  });
  try { return await run(); } finally { await page.evaluate(() => { performance.now = window.realNow; }); }
}
