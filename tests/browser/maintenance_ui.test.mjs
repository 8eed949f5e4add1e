// Maintenance cases in headless Chromium against a real `triage serve`: a photo waiting in review whose file was
// deleted by hand shows as gone, takes no decision key, and is forgotten with its button only (the API refuses to
// forget an item whose file is there); a duplicate that would replace a photo of the library cannot be kept in its
// place by a role that may not decide proposals (the button, its key, the advice and the API agree), while an admin
// may; and the public voting page votes for a signed-in user with the session's CSRF token, a vote without it refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, screenshot, triage, fixtures, toastStarting, currentCardId } from './harness.mjs';

let lib; let library; let page;
const ids = {};   // file name -> item id

// Face analysis off: every photo waits in review/unidentified. c_coffee and d_small (a smaller copy of obama3) are
// kept into the library; then e_obama3, the full-size picture, comes in and waits in review as a near duplicate of
// d_small: the better copy, whose keeping would replace a photo of the library.
const PHOTOS = [['obama.jpg', 'a_obama.jpg'], ['biden.jpg', 'b_biden.jpg'], ['skimage_coffee.jpg', 'c_coffee.jpg'],
  ['../demo/obama3_small.jpg', 'd_small.jpg']];
const UMA = ['uma', 'uma-password-1'];

function prepare(root) {
  const run = (...args) => execFileSync(triage, ['--library', root, ...args], { encoding: 'utf8' });
  const list = () => {
    for (const item of JSON.parse(run('review', 'list', '--json'))) ids[path.basename(item.path)] = item.id;
  };
  list();
  for (const name of ['c_coffee.jpg', 'd_small.jpg']) run('review', 'keep', String(ids[name]));
  const later = path.join(root, '..', 'later');
  fs.mkdirSync(later);
  fs.copyFileSync(path.join(fixtures, 'obama3.jpg'), path.join(later, 'e_obama3.jpg'));
  run('ingest', '--source', 'browser-test', later);
  list();
  execFileSync(triage, ['--library', root, 'user', 'add', UMA[0], '--role', 'user'], { input: `${UMA[1]}\n` });
}

before(async () => {
  lib = await openLibrary({ photos: PHOTOS, prepare });
  ({ library, page } = lib);
  await logIn(page);
});

after(async () => { await closeLibrary(lib); });

const onDisk = (p) => fs.existsSync(path.join(library, p));
// Every file of the library outside .triage/ (the catalog, thumbnails and journal change as the server works).
function filesOnDisk() {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(library, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (rel === '.triage') continue;
      if (e.isDirectory()) walk(rel); else out.push(rel);
    }
  };
  walk('');
  return out.sort();
}
// A request with the browser's session (the CSRF token sent unless `csrf` is false); the status and the JSON answer.
async function send(method, p, data, { csrf = true } = {}) {
  const { csrf_token: token } = await lib.api('/api/auth/session');
  const res = await lib.context.request.fetch(new URL(p, lib.baseUrl).toString(),
    { method, headers: csrf && method !== 'GET' ? { 'X-CSRF-Token': token } : {}, data });
  return { status: res.status(), body: await res.json().catch(() => null) };
}
const queueIds = async () => (await lib.api('/api/review/queue?per_page=200')).items.map((i) => i.id);
// The POSTs the page sends while `fn` runs.
async function postsDuring(fn) {
  const posts = [];
  const seen = (req) => { if (req.method() === 'POST') posts.push(req.url()); };
  page.on('request', seen);
  try { await fn(); } finally { page.off('request', seen); }
  return posts;
}
// Presses `key` on the card, the toast emptied first so that the toast the key shows is this key's.
async function pressOnCard(key) {
  await page.evaluate(() => { const t = document.querySelector('[data-testid="toast-text"]'); if (t) t.textContent = ''; });
  await page.getByTestId('review-card').focus();
  await page.keyboard.press(key);
}
async function logInAs([name, password]) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText(`${name} · user`).waitFor();
}
async function logBackInAsAdmin() {
  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, { inPlace: true });
}

test('a photo whose file was deleted by hand: the card says so, no key decides it, Forget takes it out of the queue',
  async () => {
    const id = ids['a_obama.jpg'];
    const gone = (await lib.item(id)).path;
    assert.match(gone, /^review\//);
    const untouched = filesOnDisk().filter((f) => f !== gone);
    fs.rmSync(path.join(library, gone));

    await page.goto(`/#/review/unidentified?item=${id}&at=1`);
    assert.equal(await currentCardId(page), id);
    const missing = page.getByTestId('file-missing');
    await missing.waitFor();
    const folder = path.dirname(gone);
    assert.match(await missing.innerText(), new RegExp(`a_obama\\.jpg is no longer in ${folder}`));
    assert.equal(await page.getByTestId('approve').count(), 0, 'Approve is offered for a photo whose file is gone');
    assert.equal(await page.getByTestId('keep').count(), 0);
    assert.equal(await page.getByTestId('reject').count(), 0);
    await screenshot(page, 'maintenance-file-missing');

    // a, k and d say the file is gone and send nothing.
    const posts = await postsDuring(async () => {
      for (const key of ['a', 'k', 'd']) {
        await pressOnCard(key);
        await toastStarting(page, 'a_obama.jpg\'s file is gone: put it back in').waitFor();
      }
      await page.waitForTimeout(300);
    });
    assert.deepEqual(posts, [], 'a decision key sent a request');
    assert.ok((await queueIds()).includes(id), 'the photo left the queue on a key');
    assert.equal((await lib.item(id)).location, 'review');
    assert.equal(await currentCardId(page), id);

    // Forget: said in a toast, and the item is out of the queue and the catalog; nothing else moved.
    await page.getByTestId('forget').click();
    await toastStarting(page, 'Forgot a_obama.jpg: its file was gone.').waitFor();
    assert.ok(!(await queueIds()).includes(id), 'the forgotten photo is still in the queue');
    assert.equal((await send('GET', `/api/review/${id}`)).status, 404);
    assert.deepEqual(filesOnDisk(), untouched);
    await page.getByTestId('file-missing').waitFor({ state: 'detached' });

    // An item whose file is there is not forgotten: 409, and it stays.
    const present = ids['b_biden.jpg'];
    const refused = await send('POST', `/api/items/${present}/forget`, {});
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.ok((await queueIds()).includes(present));
    assert.ok(onDisk((await lib.item(present)).path));
  });

test('a duplicate that would replace a library photo: a user may not keep it in its place; an admin may', async () => {
  const id = ids['e_obama3.jpg'];
  const copy = await lib.item(id);
  const original = await lib.item(ids['d_small.jpg']);
  assert.match(copy.path, /^review\/(near_)?duplicates\//, `e_obama3.jpg is not waiting as a duplicate: ${copy.path}`);
  assert.equal(original.location, 'library');
  const filesBefore = filesOnDisk();

  await logInAs(UMA);
  try {
    await page.goto(`/#/review/${copy.category}?item=${id}&at=1`);
    assert.equal(await currentCardId(page), id);
    const left = page.getByTestId('keep-left');
    await left.waitFor();
    assert.equal(await left.isDisabled(), true, 'Keep left is offered to a role that may not replace a library photo');
    assert.match(await left.getAttribute('title'),
      /^Keeping the new copy would replace a photo of the library, which your role may not do/);
    assert.equal(await page.getByTestId('keep-right').isDisabled(), false);
    assert.equal(await page.getByTestId('keep-both').isDisabled(), false);
    const advice = await page.getByTestId('keep-advice').innerText();
    // The new copy is the better one, and the advice says so, but not that this user should keep it.
    assert.doesNotMatch(advice, /Recommended: keep left/, advice);
    assert.match(advice,
      /^The new copy \(left\) is the better one \(.*\), but it would replace a photo of the library, which your role may not/,
      advice);
    assert.doesNotMatch(await left.getAttribute('class'), /primary/);
    await screenshot(page, 'maintenance-duplicate-user');

    // l is refused in an error toast; nothing is sent, nothing moves.
    const posts = await postsDuring(async () => {
      await pressOnCard('l');
      await page.locator('#toast.error').getByTestId('toast-text')
        .filter({ hasText: /^Keeping the new copy would replace a photo of the library/ }).waitFor();
      await page.waitForTimeout(300);
    });
    assert.deepEqual(posts, [], 'l sent a request');
    assert.deepEqual(filesOnDisk(), filesBefore);
    assert.deepEqual([(await lib.item(id)).path, (await lib.item(original.id)).path], [copy.path, original.path]);

    // The server refuses it to this role as well.
    const refused = await send('POST', `/api/review/${id}/duplicate`, { keep: 'new' });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.deepEqual(filesOnDisk(), filesBefore);
    assert.equal((await lib.item(id)).location, 'review');
  } finally {
    await logBackInAsAdmin();
  }

  // The admin may keep the new copy in the library photo's place.
  await page.goto(`/#/review/${copy.category}?item=${id}&at=1`);
  assert.equal(await currentCardId(page), id);
  const left = page.getByTestId('keep-left');
  await left.waitFor();
  assert.equal(await left.isDisabled(), false, 'Keep left is refused to the admin');
  assert.equal(await left.getAttribute('title'), null);
  assert.match(await page.getByTestId('keep-advice').innerText(), /^Recommended: keep left \(the new copy\)/);
});

test('the voting page, signed in: a vote carries the CSRF token and counts; a vote without it is refused', async () => {
  const id = ids['c_coffee.jpg'];
  lib.run(['public', String(id)]);
  const { csrf_token: token } = await lib.api('/api/auth/session');
  await page.goto('/vote.html');
  const card = page.locator(`[data-testid="vote-image"][data-item-id="${id}"]`);
  await card.waitFor();
  assert.match(await card.getByTestId('vote-counts').innerText(), /^▲ 0 · ▼ 0/);

  const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/votes');
  await card.getByTestId('vote-up').click();
  assert.equal((await sent).headers()['x-csrf-token'], token, 'the vote was sent without the session\'s CSRF token');
  await card.locator('[data-testid="vote-up"][aria-pressed="true"]').waitFor();
  await toastStarting(page, 'Thank you, your vote counts.').waitFor();
  assert.match(await card.getByTestId('vote-counts').innerText(), /^▲ 1 · ▼ 0/);
  const listed = async () => (await lib.api('/api/public/images')).images.find((i) => i.id === id);
  assert.deepEqual([(await listed()).up, (await listed()).mine], [1, 'up']);
  await screenshot(page, 'maintenance-vote-signed-in');

  // From the page but without the header (as another site's form would send it): 403, and the vote stays as it was.
  const forged = await page.evaluate(async (itemId) => {
    const res = await fetch('/api/votes', { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ item_id: itemId, vote: 'down' }) });
    return { status: res.status, body: await res.json() };
  }, id);
  assert.equal(forged.status, 403, JSON.stringify(forged.body));
  assert.equal(forged.body.error, 'csrf_failed');
  const now = await listed();
  assert.deepEqual([now.up, now.down, now.mine], [1, 0, 'up']);
});
