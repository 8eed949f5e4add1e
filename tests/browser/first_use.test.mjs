// What a first-time user runs into, each driven in headless Chromium against a real `triage serve`: an undo offered
// before moving to another page, a person name too long for a folder, uploads of files that are no image (and the same
// file chosen twice), unreadable files in the gallery (a placeholder, never a broken image or a console error), a
// long name on a phone, and an undo across a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, currentCardId, toastStarting, fixtures, screenshot } from './harness.mjs';

let lib; let page;
const ids = {};   // fixture file name -> item id
const consoleErrors = [];

before(async () => {
  lib = await openLibrary({
    photos: [['skimage_coffee.jpg', '01_coffee.jpg'], ['skimage_astronaut.jpg', '02_astronaut.jpg'],
      ['obama.jpg', '03_obama.jpg']],
    // A download that broke off: the first 3000 bytes of a JPEG.
    extra: (inbox) => fs.writeFileSync(path.join(inbox, '09_broken.jpg'),
      fs.readFileSync(path.join(fixtures, 'biden2.jpg')).subarray(0, 3000)),
  });
  page = lib.page;
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await logIn(page);
  for (const item of (await lib.api('/api/items?per_page=200')).items) ids[item.file_name] = item.id;
});

after(async () => { await closeLibrary(lib); });

const blur = () => page.evaluate(() => document.activeElement && document.activeElement.blur());
const go = async (hash, heading) => {
  await page.evaluate((h) => { location.hash = h; }, hash);
  if (heading) await page.getByRole('heading', { level: 1, name: heading }).waitFor();
};
const toastText = (text) => toastStarting(page, text);
// Keeps the first unidentified photo with the `k` key; resolves with its id and the item as it was.
async function keepFirstUnidentified() {
  await go('#/review/unidentified');
  const id = await currentCardId(page);
  const before = await lib.item(id);
  await blur();
  await page.keyboard.press('k');
  await toastText(`Kept ${before.file_name} in photos/`).waitFor();
  return { id, before };
}

test('an undo offered before moving to another page still takes the decision back (toast Undo and Ctrl-Z)', async () => {
  const { id, before } = await keepFirstUnidentified();
  assert.equal((await lib.item(id)).location, 'library');
  // The toast stays while the gallery opens; its Undo there takes the keep back.
  await go('#/gallery', 'Gallery');
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastText(`Undone: kept ${before.file_name}`).waitFor();
  let item = await lib.item(id);
  assert.deepEqual([item.location, item.path], ['review', before.path]);

  // A keep, a look at the statistics, back to review: Ctrl-Z takes the keep back and the card is there again.
  await go('#/review/unidentified');
  await page.getByTestId('review-card').and(page.locator(`[data-item-id="${id}"]`)).waitFor();
  await blur();
  await page.keyboard.press('k');
  await toastText(`Kept ${before.file_name} in photos/`).waitFor();
  await go('#/stats', 'Statistics');
  await go('#/review/unidentified');
  await page.getByTestId('review-card').waitFor();
  await blur();
  await page.keyboard.press('Control+z');
  await toastText(`Undone: kept ${before.file_name}`).waitFor();
  item = await lib.item(id);
  assert.deepEqual([item.location, item.path], ['review', before.path]);
  await page.getByTestId('review-card').and(page.locator(`[data-item-id="${id}"]`)).waitFor();
  // A second Ctrl-Z has nothing left to take back, and says so.
  await blur();
  await page.keyboard.press('Control+z');
  await toastText('Nothing to undo: Ctrl-Z takes back this tab\'s last 20 decisions, newest first, and none is left.')
    .waitFor();
  assert.equal((await lib.item(id)).location, 'review');
});

test('approve as a name too long for a folder says so and leaves the photo in review', async () => {
  await go('#/review/unidentified');
  const id = await currentCardId(page);
  const before = await lib.item(id);
  await page.getByTestId('person-new').fill('x'.repeat(300));
  await page.getByTestId('approve').click();
  const said = page.getByTestId('toast-text').filter({ hasText: 'too long: at most 100' });
  await said.waitFor();
  assert.doesNotMatch(await said.innerText(), new RegExp(lib.library.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
    'the message names no server path');
  const item = await lib.item(id);
  assert.deepEqual([item.location, item.path], ['review', before.path]);
  assert.equal(await currentCardId(page), id, 'the same photo waits for a shorter name');
  await page.getByTestId('person-new').fill('');
});

test('Add photos: a file that is no image is named with where it went and why; the same file again is uploaded again',
  async () => {
    await go('#/review');
    await page.getByTestId('review-card').waitFor();
    const notes = path.join(lib.tmp, 'notes.txt');
    fs.writeFileSync(notes, 'shopping list');
    const empty = path.join(lib.tmp, 'empty.jpg');
    fs.writeFileSync(empty, '');
    for (const round of [1, 2]) {
      const chooser = page.waitForEvent('filechooser');
      const uploaded = page.waitForResponse((r) => r.url().endsWith('/api/ingest'));
      await page.getByRole('button', { name: 'Add photos…' }).click();
      await (await chooser).setFiles(round === 1 ? [notes, empty] : [notes]);
      assert.equal((await uploaded).status(), 200, `round ${round}: the upload is sent`);
      // Neither file is an image: no photo was added, which the toast says first, then where the files wait.
      const said = toastText('No photo was added: ');
      await said.waitFor();
      const text = await said.innerText();
      if (round === 1) {
        assert.equal(text, 'No photo was added: 2 files are not readable images (notes.txt, empty.jpg): they wait in ' +
          'review/unreadable, to be looked at or deleted.');
      } else {
        // The second notes.txt is stored as notes_1.txt beside the first, and the toast says so, with the reason.
        assert.match(text, /^No photo was added: notes\.txt \(stored as notes_1\.txt\) is not a readable image \(The image cannot be decoded.*\): it waits in review\/unreadable, to be looked at or deleted\.$/);
      }
      assert.doesNotMatch(text, /staging/, 'no staging path in the message');
      // Every file was added (waiting in review as unreadable): a warning, not an error.
      assert.equal(await page.locator('#toast').getAttribute('class'), 'toast warn');
    }
    const names = (await lib.api('/api/review/queue/unreadable?per_page=50')).items.map((i) => i.file_name).sort();
    assert.deepEqual(names, ['09_broken.jpg', 'empty.jpg', 'notes.txt', 'notes_1.txt']);
    // A name of 200 characters is cut in the middle in the toast, which stays short (the card shows it whole).
    const long = path.join(lib.tmp, `${'x'.repeat(200)}.jpg`);
    fs.writeFileSync(long, 'not a photo');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Add photos…' }).click();
    await (await chooser).setFiles([long]);
    const said = toastText(`No photo was added: ${'x'.repeat(30)}`);
    await said.waitFor();
    const text = await said.innerText();
    assert.ok(text.includes(`${'x'.repeat(30)}…${'x'.repeat(10)}.jpg`), text);
    assert.ok(!text.includes('x'.repeat(60)), `the whole name is in the toast: ${text}`);
    assert.ok(text.length < 400, `${text.length} characters`);
  });

test('review grid on a phone: an unreadable tile\'s text starts below its checkbox', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await go('#/review/unreadable');
    await page.getByTestId('grid-mode').click();
    const tile = page.locator(`[data-testid="tile"][data-item-id="${ids['09_broken.jpg']}"]`);
    await tile.getByTestId('img-placeholder').waitFor();
    const box = await tile.locator('input[type="checkbox"]').boundingBox();
    const title = await tile.locator('.ph-title').boundingBox();
    assert.ok(title.y >= box.y + box.height, `checkbox ${JSON.stringify(box)}, "No preview" ${JSON.stringify(title)}`);
    await screenshot(page, 'review-grid-unreadable');
    await page.getByRole('button', { name: 'One by one' }).click();
  } finally { await page.setViewportSize({ width: 1440, height: 900 }); }
});

test('gallery: an unreadable file is a placeholder tile and loupe, no broken image and no console error', async () => {
  consoleErrors.length = 0;
  await go('#/gallery', 'Gallery');
  const tile = page.locator(`[data-testid="tile"][data-id="${ids['09_broken.jpg']}"]`);
  await tile.getByTestId('img-placeholder').waitFor();
  assert.equal(await tile.locator('img').count(), 0);
  await tile.click();
  await page.getByTestId('filmstrip').waitFor();
  await page.locator('.loupe-stage [data-testid="img-placeholder"]').waitFor();
  // In the filmstrip its placeholder takes a thumbnail's square, as the images beside it do.
  const strip = await page.locator('.strip-tile').evaluateAll((tiles) => tiles.map((t) => t.getBoundingClientRect().width));
  assert.ok(strip.length >= 2);
  assert.ok(Math.max(...strip) <= Math.min(...strip) + 1, `filmstrip tiles ${strip.join(', ')} px wide`);
  // Every other tile's image has loaded (so every request the page made has been answered).
  await page.waitForFunction(() => [...document.querySelectorAll('img')].every((i) => i.complete));
  assert.deepEqual(consoleErrors, []);
});

test('a person named with the longest name allowed wraps on a phone instead of widening the page', async () => {
  const longest = 'y'.repeat(100);
  await go('#/persons', 'Enrolled persons');
  await page.getByLabel('New person name').fill(longest);
  await page.getByRole('button', { name: 'Add person' }).click();
  await page.getByRole('heading', { level: 2, name: longest }).waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await page.waitForFunction(() => document.documentElement.clientWidth === 390);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width} px wide`);
  } finally { await page.setViewportSize({ width: 1440, height: 900 }); }
});

test('a double click on Add person adds once: the toast says so and offers Undo, no "enrolled already"', async () => {
  await go('#/persons', 'Enrolled persons');
  await page.getByLabel('New person name').fill('double click');
  let posts = 0;
  const count = (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/persons') posts++; };
  page.on('request', count);
  await page.getByRole('button', { name: 'Add person' }).dblclick();
  await page.getByRole('heading', { level: 2, name: 'double click' }).waitFor();   // shown as typed
  await toastText('Added double click — no reference faces yet').waitFor();
  await page.waitForTimeout(300);  // a second request, were one sent, would have answered by now
  page.off('request', count);
  assert.equal(posts, 1, 'one request');
  assert.equal(await page.locator('.toast').filter({ hasText: 'enrolled already' }).count(), 0);
  assert.equal(await page.locator('.toast').filter({ hasText: 'Added double click — no reference faces yet' })
    .getByRole('button', { name: 'Undo' }).count(), 1);
});

test('a reload after a decision keeps its undo: Ctrl-Z takes it back; logging out forgets it', async () => {
  const { id, before } = await keepFirstUnidentified();
  await page.reload();
  await page.getByTestId('review-card').waitFor();
  await blur();
  await page.keyboard.press('Control+z');
  await toastText(`Undone: kept ${before.file_name}`).waitFor();
  assert.deepEqual([(await lib.item(id)).location, (await lib.item(id)).path], ['review', before.path]);

  // A keep, log out, log in again: Ctrl-Z no longer reaches back over the logout.
  await page.getByTestId('review-card').and(page.locator(`[data-item-id="${id}"]`)).waitFor();
  await blur();
  await page.keyboard.press('k');
  await toastText(`Kept ${before.file_name} in photos/`).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByText('You are logged out.').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('triage.undoList')), null);
  await logIn(page);
  await page.getByTestId('review-card').waitFor();
  assert.equal((await lib.item(id)).location, 'library');
});

test('grid: a double click on "Keep selected" sends one request and its toast still offers Undo', async () => {
  await go('#/review/unidentified');
  await page.getByTestId('grid-mode').click();
  const tile = page.getByTestId('tile').first();
  await tile.waitFor();
  const id = Number(await tile.getAttribute('data-item-id'));
  await tile.locator('input[type="checkbox"]').check();
  let requests = 0;
  const count = (r) => { if (r.url().endsWith('/api/review/bulk')) requests++; };
  page.on('request', count);
  try {
    await page.getByTestId('bulk-keep').dblclick();
    await toastText('1 photo kept without a person.').waitFor();
    assert.equal(await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).isVisible(), true);
    await page.getByTestId('selected-count').filter({ hasText: '0 selected' }).waitFor();
    assert.equal(requests, 1);
    assert.equal((await lib.item(id)).location, 'library');
    await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
    await toastText('Undone').waitFor();
    assert.equal((await lib.item(id)).location, 'review');
  } finally {
    page.off('request', count);
    await page.getByRole('button', { name: 'One by one' }).click();
  }
});

test('gallery: a score filter above 10 is refused on the page, not silently ignored; From after To is explained',
  async () => {
    const errors = [];
    const onError = (e) => errors.push(e.message);
    page.on('pageerror', onError);
    try {
      await go('#/gallery', 'Gallery');
      const score = page.locator('#app input[name="min_score"]');
      await score.fill('11');
      await score.dispatchEvent('change');
      const refused = page.getByTestId('gallery-refused');
      await refused.waitFor();
      // Named as the field the user sees, not as the API's parameter.
      assert.match(await refused.innerText(), /Score ≥: must be a score from 0 to 10 \(got "11"\)/);
      assert.doesNotMatch(await refused.innerText(), /query parameter|min_score/);
      assert.equal(await page.getByTestId('grid').count(), 0, 'no photos shown as if the filter applied');
      await page.locator('#app input[name="min_score"]').fill('');
      await page.locator('#app input[name="min_score"]').dispatchEvent('change');
      await page.getByTestId('grid').waitFor();
      for (const [name, month] of [['from', '2030-01'], ['to', '2020-01']]) {
        await page.locator(`#app input[name="${name}"]`).fill(month);
        await page.locator(`#app input[name="${name}"]`).dispatchEvent('change');
      }
      await page.getByTestId('gallery-empty').filter({ hasText: 'From (2030-01) is after To (2020-01)' }).waitFor();
      assert.deepEqual(errors, []);
    } finally { page.off('pageerror', onError); }
  });

test('review: an unreadable file offers keep and delete, not a person; the a key says why; keep files it', async () => {
  await go('#/review/unreadable');
  const card = page.getByTestId('review-card').and(page.locator(`[data-item-id="${ids['09_broken.jpg']}"]`));
  await card.waitFor();
  await card.getByTestId('not-filable').filter({ hasText: 'cannot be sorted under a person' }).waitFor();
  assert.equal(await card.getByTestId('approve').count(), 0, 'no Approve & sort button');
  assert.equal(await card.getByTestId('person').count(), 0, 'no person picker');
  await blur();
  let approvals = 0;
  const count = (r) => { if (r.url().includes('/approve')) approvals++; };
  page.on('request', count);
  try {
    await page.keyboard.press('a');
    await toastText('09_broken.jpg: This file could not be read as an image').waitFor();
    assert.equal(approvals, 0, 'nothing was sent');
  } finally { page.off('request', count); }
  assert.equal((await lib.item(ids['09_broken.jpg'])).location, 'review');
  await page.keyboard.press('k');
  await toastText('Kept 09_broken.jpg in photos/').waitFor();
  assert.equal((await lib.item(ids['09_broken.jpg'])).location, 'library');
});

test('opened without a session: the login form, and no failed request in the console', async () => {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByText('You are logged out.').waitFor();
  consoleErrors.length = 0;
  const failed = [];
  const onResponse = (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`); };
  page.on('response', onResponse);
  try {
    await page.reload();
    await page.getByLabel('User name').waitFor();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    // A first visit says where a user name and password come from, as nobody else is there to ask.
    assert.match(await page.getByTestId('login-help').innerText(), /triage serve prints how to log in.*triage user add/);
    assert.deepEqual(failed, []);
    assert.deepEqual(consoleErrors, []);
  } finally { page.off('response', onResponse); }
  await logIn(page);
});

test('a keep answered only after its user logged out offers no undo to whoever logs in next', async () => {
  await go('#/review/unidentified');
  const id = await currentCardId(page);
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let delivered;
  const done = new Promise((resolve) => { delivered = resolve; });
  // The server does the keep at once; its answer reaches the page only after the logout.
  await page.route('**/api/review/*/keep', async (route) => {
    const response = await route.fetch();
    await held;
    await route.fulfill({ response });
    delivered();
  });
  try {
    await blur();
    await page.keyboard.press('k');
    for (let i = 0; i < 100 && (await lib.item(id)).location !== 'library'; i++) await page.waitForTimeout(50);
    assert.equal((await lib.item(id)).location, 'library');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    release();
    await done;
    await logIn(page, { inPlace: true });   // the same page that got the late answer
    assert.equal(await page.evaluate(() => sessionStorage.getItem('triage.undoList')), null);
    await go('#/review/unidentified');
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await blur();
    await page.keyboard.press('Control+z');
    await lib.api('/api/items?per_page=1');   // a round trip in which an undo would have been sent
    assert.equal((await lib.item(id)).location, 'library', 'the keep was not taken back');
  } finally { await page.unroute('**/api/review/*/keep'); }
});

test('trash: an unreadable file deleted from review shows its reason, never a thumbnail request or a decoder error',
  async () => {
    const unreadable = (await lib.api('/api/review/queue/unreadable?per_page=50')).items;
    assert.ok(unreadable.length > 0);
    const { id } = unreadable[0];
    lib.run(['review', 'reject', String(id)]);
    consoleErrors.length = 0;
    const thumbnails = [];
    const onRequest = (r) => { if (r.url().includes(`/api/items/${id}/thumbnail`)) thumbnails.push(r.url()); };
    page.on('request', onRequest);
    try {
      await go('#/trash', 'Trash');
      const tile = page.locator(`[data-testid="trash-item"][data-item-id="${id}"]`);
      await tile.getByTestId('img-placeholder').waitFor();
      const text = await tile.innerText();
      assert.match(text, /No preview/);
      assert.match(text, /Unreadable/);
      assert.doesNotMatch(text, /Vips|\/\.triage\//, text);
      await page.waitForFunction(() => [...document.querySelectorAll('img')].every((i) => i.complete));
    } finally { page.off('request', onRequest); }
    assert.deepEqual(thumbnails, []);
    assert.deepEqual(consoleErrors, []);
    await go('#/audit', 'Audit log');  // leaves the trash, so that the next visit draws it anew
  });

test('audit: a photo deleted for good keeps its lines, marked deleted, and no link that would open nothing', async () => {
  const waiting = (await lib.api('/api/items?location=review&per_page=50')).items
    .filter((i) => i.category !== 'unreadable');
  assert.ok(waiting.length > 0);
  const { id, file_name: name } = waiting[0];
  lib.run(['review', 'reject', String(id)]);
  await go('#/trash', 'Trash');
  await page.getByRole('button', { name: `Delete now: ${name}` }).click();
  await page.getByRole('button', { name: 'Delete for good' }).click();
  await toastText(`Deleted ${name} for good.`).waitFor();
  await go('#/audit', 'Audit log');
  await page.getByLabel('Item id').fill(String(id));
  await page.getByRole('button', { name: 'Filter' }).click();
  // The unfiltered log shows the deletion too: wait for the filtered list, every line of it about this photo.
  const rows = (await lib.api(`/api/audit?item_id=${id}`)).entries.length;
  assert.ok(rows >= 2, 'its intake and its deletion at least');
  await page.waitForFunction(({ n, item }) => {
    const lines = [...document.querySelectorAll('[data-testid="audit-row"]')];
    return lines.length === n && lines.every((l) => l.textContent.includes(item));
  }, { n: rows, item: `item ${id}` });
  await page.getByTestId('audit-row').filter({ hasText: `deleted item ${id} from the trash for good` }).waitFor();
  assert.equal(await page.getByTestId('audit-item-deleted').count(), rows);
  assert.equal(await page.getByRole('link', { name: `open item ${id}` }).count(), 0);
  // Undone decisions read as sentences too, not as the bare action name ("tester undid a change to item 6 — ...").
  await page.getByLabel('Item id').fill('');
  await page.getByTestId('audit-action').selectOption('undo');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByTestId('audit-row').filter({ hasText: 'undid a change to item' }).first().waitFor();
  assert.equal(await page.getByTestId('audit-row').filter({ hasText: ' undo item' }).count(), 0);
});
