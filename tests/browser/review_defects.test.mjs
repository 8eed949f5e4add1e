// The review page's known failure paths, each driven in headless Chromium against a real `triage serve`: a stale
// keyboard handler acting on a queue no longer on screen, a rejected match offered as the default person, shortcut
// keys leaking into the person picker, bulk delete without asking, unchecked settings, the phone layout and broken
// images for unreadable files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, currentCardId, waitForCardChange, toastStarting, fixtures, screenshot,
  itemReaches }
  from './harness.mjs';

let lib; let page;
const ids = {};   // fixture file name -> item id

// Sets up a face the matcher could not place: nobody within match_distance, the closest being biden at 0.70 (the
// library runs without face analysis, so the catalog gets what an analysis would have stored). Enrols the persons
// the picker offers.
function fakeUnknownFace(library) {
  const sql = `
    INSERT INTO persons (name, created_at) VALUES ('biden', 0), ('dora', 0), ('sam', 0), ('sheldon', 0);
    UPDATE items SET person = 'biden', faces_detected = 1,
      reasons = '[{"code":"unknown_person","text":"The face matches nobody enrolled (closest: biden, distance 0.70)."}]'
      WHERE path LIKE '%02_astronaut%';
    UPDATE review_queue SET reason_code = 'unknown_person', suggested_person = 'biden', faces_detected = 1,
      reason = 'The face matches nobody enrolled (closest: biden, distance 0.70).'
      WHERE item_id = (SELECT id FROM items WHERE path LIKE '%02_astronaut%');
    INSERT INTO faces (item_id, x, y, w, h, score, person, match_kind, distance, confidence)
      SELECT id, 10, 10, 80, 80, 0.99, 'biden', 'unknown', 0.70, 0.2 FROM items WHERE path LIKE '%02_astronaut%';
    UPDATE items SET person = 'biden', faces_detected = 1 WHERE path LIKE '%04_biden%';
    UPDATE review_queue SET suggested_person = 'biden', faces_detected = 1
      WHERE item_id = (SELECT id FROM items WHERE path LIKE '%04_biden%');
    INSERT INTO faces (item_id, x, y, w, h, score, person, match_kind, distance, confidence)
      SELECT id, 10, 10, 80, 80, 0.99, 'biden', 'unknown', 0.41, 0.6 FROM items WHERE path LIKE '%04_biden%';
    INSERT INTO person_references (person_id, embedding, source)
      SELECT p.id, zeroblob(512), 'item:' || i.id FROM persons p, items i
      WHERE p.name = 'sheldon' AND i.path LIKE '%02_astronaut%';`;
  execFileSync('sqlite3', [path.join(library, '.triage/catalog.db')], { input: sql });
}

before(async () => {
  const photos = [['skimage_coffee.jpg', '01_coffee.jpg'], ['skimage_astronaut.jpg', '02_astronaut.jpg'],
    ['obama.jpg', '03_obama.jpg'], ['biden.jpg', '04_biden.jpg'], ['obama2.jpg', '05_obama2.jpg'],
    ['biden2.jpg', '06_biden2.jpg'], ['vladmandic_sample1.jpg', '07_sample.jpg'], ['obama.jpg', '08_obama_copy.jpg']];
  lib = await openLibrary({
    photos,
    // A download that broke off: the first 3000 bytes of a JPEG.
    extra: (inbox) => fs.writeFileSync(path.join(inbox, '09_broken.jpg'),
      fs.readFileSync(path.join(fixtures, 'biden2.jpg')).subarray(0, 3000)),
    prepare: fakeUnknownFace,
  });
  page = lib.page;
  await logIn(page);
  for (const item of (await lib.api('/api/items?per_page=200')).items) ids[item.file_name] = item.id;
});

after(async () => { await closeLibrary(lib); });

const trashed = async () => (await lib.api('/api/items?location=trash&per_page=200')).items.map((i) => i.id)
  .sort((a, b) => a - b);
const blur = () => page.evaluate(() => document.activeElement && document.activeElement.blur());

async function openCard(hash, fileName) {
  await page.evaluate(() => { location.hash = '#/stats'; });
  await page.getByRole('heading', { level: 1, name: 'Statistics' }).waitFor();
  await page.evaluate((h) => { location.hash = h; }, hash);
  const id = ids[fileName];
  for (let i = 0; i < 20 && await currentCardId(page) !== id; i++) {
    await blur();
    const before = await currentCardId(page);
    await page.keyboard.press('ArrowRight');
    await waitForCardChange(page, before);
  }
  assert.equal(await currentCardId(page), id);
  return id;
}

test('an unreadable item shows a placeholder with the reason, not a broken image', async () => {
  await page.evaluate(() => { location.hash = '#/review/unreadable'; });
  const card = page.getByTestId('review-card');
  await card.waitFor();
  const placeholder = card.getByTestId('img-placeholder');
  await placeholder.waitFor();
  assert.match(await placeholder.innerText(), /No preview/);
  // The reason is said once, as the card's heading (the placeholder names it to a screen reader).
  assert.doesNotMatch(await placeholder.innerText(), /cannot be decoded/);
  assert.match(await placeholder.getAttribute('aria-label'), /cannot be decoded/);
  assert.equal(await card.getByText(/cannot be decoded/).evaluateAll((els) => els.filter((e) => e.checkVisibility())
    .length), 1);
  assert.equal(await card.locator('img').count(), 0);
  await page.getByTestId('grid-mode').click();
  await page.getByTestId('tile').first().getByTestId('img-placeholder').waitFor();
  await page.getByRole('button', { name: 'One by one' }).click();
});

test('a match beyond match_distance is a suggestion chip, never the default of an approve', async () => {
  const id = await openCard('#/review/unidentified', '02_astronaut.jpg');
  const select = page.getByTestId('person-select');
  assert.equal(await select.inputValue(), '', 'nothing is pre-selected');
  const chip = page.getByTestId('suggestion');
  assert.match(await chip.innerText(), /^no match · nearest biden at 0\.70/);
  assert.equal(await chip.locator('kbd').count(), 0, 'a far suggestion offers no key');
  await blur();
  await page.keyboard.press('a');
  await toastStarting(page, 'Choose who 02_astronaut.jpg shows').waitFor();
  assert.equal((await lib.item(id)).location, 'review');
  // A name typed that nobody has is said as such, with where a new person's name goes.
  await select.fill('dask');
  await select.press('Enter');
  await toastStarting(page, 'Nobody named "dask" is enrolled: choose someone from the list, or type the name into ' +
    'the "new person…" box').waitFor();
  assert.equal((await lib.item(id)).location, 'review');
  await select.fill('');
  // Key 1 takes likely matches only: "1" then "a" must not file the photo under a face 0.70 away.
  await blur();
  await page.keyboard.press('1');
  await toastStarting(page, 'biden is not a likely match (no match · nearest biden at 0.70): key 1 takes likely ' +
    'matches only').waitFor();
  assert.equal(await select.inputValue(), '');
  await page.keyboard.press('a');
  await toastStarting(page, 'Choose who 02_astronaut.jpg shows').waitFor();
  assert.equal((await lib.item(id)).location, 'review');
  // The chip takes the far suggestion into the picker when clicked; it is still the reviewer who approves.
  await chip.click();
  assert.equal(await select.inputValue(), 'biden');
  assert.equal((await lib.item(id)).location, 'review');
});

test('shortcut keys do not act or switch names while the picker has focus; Enter approves, Esc leaves', async () => {
  const id = await openCard('#/review/unidentified', '01_coffee.jpg');
  const select = page.getByTestId('person-select');
  await select.focus();
  await page.keyboard.type('sa');
  await page.keyboard.press('1');   // the top suggestion for "sa"
  assert.equal(await select.getAttribute('data-value'), 'sam');
  for (const key of ['d', 's', 'a']) await page.keyboard.press(key);
  assert.equal(await select.getAttribute('data-value'), 'sam', 'letters do not switch the picker to dora or another name');
  assert.equal((await lib.item(id)).location, 'review', 'd, s and a did nothing while the picker had focus');
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'review-card');
  assert.equal(await select.inputValue(), 'sam', 'leaving the picker puts the chosen name back');
  await select.focus();
  await page.keyboard.press('Enter');
  await toastStarting(page, 'Sorted 01_coffee.jpg under sam (faces/sam/)').waitFor();
  const item = await lib.item(id);
  assert.equal(item.location, 'library');
  assert.equal(item.person, 'sam');
});

test('one key press acts on the card on screen only, also when pages load slowly', async () => {
  await page.evaluate(() => { location.hash = '#/review'; });
  await page.getByTestId('review-card').waitFor();
  const before = await trashed();
  await page.route('**/api/**', async (route) => {
    await new Promise((r) => setTimeout(r, 700));
    await route.continue().catch(() => {});
  });
  try {
    // Switch category, and again while the first is still loading.
    await page.evaluate(() => { location.hash = '#/review/duplicates'; });
    await page.waitForTimeout(150);
    await page.evaluate(() => { location.hash = '#/review/unidentified'; });
    await page.getByTestId('review-card').filter({ has: page.locator('.badge.cat-unidentified') })
      .waitFor({ timeout: 15000 });
    await page.waitForTimeout(1500);   // what the duplicates page started has long finished
    const shown = await currentCardId(page);
    await blur();
    await page.keyboard.press('d');
    await waitForCardChange(page, shown);
    await page.waitForTimeout(2500);   // a second, stale action would have landed by now
    assert.deepEqual(await trashed(), [...before, shown].sort((a, b) => a - b));
    assert.equal((await lib.item(ids['08_obama_copy.jpg'])).location, 'review', 'the duplicate never on screen');
  } finally {
    await page.unroute('**/api/**');
  }
});

test('bulk delete asks first, with the count, and changes nothing when cancelled', async () => {
  await page.evaluate(() => { location.hash = '#/review/unidentified'; });
  await page.getByTestId('grid-mode').click();
  const tiles = page.getByTestId('tile');
  await tiles.nth(1).waitFor();
  const chosen = [];
  for (let i = 0; i < 2; i++) {
    chosen.push(Number(await tiles.nth(i).getAttribute('data-item-id')));
    await tiles.nth(i).locator('input[type=checkbox]').check();
  }
  await page.getByTestId('bulk-reject').click();
  const dialog = page.getByTestId('confirm-dialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Delete 2 photos\?/);
  await page.getByTestId('confirm-no').click();
  for (const id of chosen) assert.equal((await lib.item(id)).location, 'review');
  await page.getByTestId('bulk-reject').click();
  await page.getByTestId('confirm-yes').click();
  await toastStarting(page, '2 photos moved to the trash').waitFor();
  for (const id of chosen) assert.equal((await lib.item(id)).location, 'trash');
  await page.getByRole('button', { name: 'One by one' }).click();
});

test('settings: an emptied threshold is not saved as 0; an unknown whitelist name is questioned', async () => {
  const configPath = path.join(lib.library, 'triage.json');
  const thresholdsBefore = JSON.parse(fs.readFileSync(configPath, 'utf8')).thresholds;
  await page.evaluate(() => { location.hash = '#/settings'; });
  await page.getByTestId('threshold-min_confidence').fill('');
  await page.getByTestId('preview-thresholds').click();
  await page.getByTestId('toast-text').filter({ hasText: '"Minimum confidence to sort automatically": enter a number' })
    .waitFor();
  assert.deepEqual(JSON.parse(fs.readFileSync(configPath, 'utf8')).thresholds, thresholdsBefore);
  // A preview the server refused is not pending: editing the field afterwards says nothing about a stale preview.
  await page.getByTestId('threshold-min_confidence').fill('1.5');
  await page.getByTestId('preview-thresholds').click();
  await page.getByTestId('toast-text').filter({ hasText: '"Minimum confidence to sort automatically": must be' }).first()
    .waitFor();
  await page.getByTestId('threshold-min_confidence').fill('0.7');
  assert.equal(await page.getByTestId('preview-stale').count(), 0, 'no stale notice for a preview never shown');
  // A preview is for the values it was made with: a field changed afterwards withdraws it, nothing is saved.
  await page.getByTestId('threshold-min_confidence').fill('0.9');
  await page.getByTestId('preview-thresholds').click();
  await page.getByTestId('confirm-thresholds').waitFor();
  await page.getByTestId('threshold-min_confidence').fill('0.5');
  await page.getByTestId('preview-stale').waitFor();
  assert.equal(await page.getByTestId('confirm-thresholds').count(), 0, 'no Save for values no longer on screen');
  assert.deepEqual(JSON.parse(fs.readFileSync(configPath, 'utf8')).thresholds, thresholdsBefore);
  await page.getByTestId('threshold-min_confidence').fill(String(thresholdsBefore.min_confidence));

  await page.getByTestId('whitelist-input').fill('shledon');
  await page.getByTestId('save-whitelist').click();
  const warning = page.getByTestId('whitelist-warning');
  await warning.getByText('“shledon” is not an enrolled person.').waitFor();
  for (const name of ['biden', 'dora', 'sam', 'sheldon']) assert.match(await warning.innerText(), new RegExp(name));
  assert.deepEqual(JSON.parse(fs.readFileSync(configPath, 'utf8')).whitelist, [], 'nothing saved yet');
  await warning.getByTestId('use-name').filter({ hasText: 'sheldon' }).click();
  assert.equal(await page.getByTestId('whitelist-input').inputValue(), 'sheldon');
  await page.getByTestId('save-whitelist').click();
  await page.getByText('Saved the whitelist (1 name).').waitFor();
  assert.deepEqual(JSON.parse(fs.readFileSync(configPath, 'utf8')).whitelist, ['sheldon']);
  // A person is on one list at most: the whitelisted name put on the blacklist leaves the whitelist, and the toast
  // says so; emptied again, the blacklist is as it was.
  await page.reload();   // the settings drawn anew, not the forms the whitelist's save is replacing
  // Text typed in the whitelist and not saved is still there after the blacklist's save draws the page anew.
  await page.getByTestId('whitelist-input').fill('sheldon\nunsaved draft');
  await page.getByTestId('blacklist-input').fill('Sheldon');
  await page.getByTestId('save-blacklist').click();
  await page.getByText('Saved the blacklist (1 name); sheldon left the whitelist (a person is on one list at most).')
    .waitFor();
  assert.deepEqual(JSON.parse(fs.readFileSync(configPath, 'utf8')).whitelist, []);
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="blacklist-input"]').dataset.drawn === 'sheldon');  // drawn anew
  assert.equal(await page.getByTestId('whitelist-input').inputValue(), 'sheldon\nunsaved draft');
  assert.equal(await page.getByTestId('blacklist-input').inputValue(), 'sheldon');
  await page.reload();
  await page.getByTestId('blacklist-input').fill('');
  await page.getByTestId('save-blacklist').click();
  await page.getByText('Saved the blacklist, now empty: nobody is held back.').waitFor();
  assert.deepEqual(JSON.parse(fs.readFileSync(configPath, 'utf8')).blacklist, []);
});

test('phone layout at 390×844: navigation reachable, Approve visible, no sideways page, no nav at login', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await page.evaluate(() => { location.hash = '#/review/unidentified'; });
    const approve = page.getByTestId('approve');
    await approve.waitFor();
    // The card opens at its top: its taking the focus does not scroll the photo away (the card is taller than the
    // room above the decision bar, and only a field under the bar is to be brought above it).
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => window.scrollY), 0, 'the card opens scrolled to its top');
    await page.reload();
    await approve.waitFor();
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => window.scrollY), 0, 'the card opens scrolled to its top after a reload');
    const box = await approve.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 844 && box.x >= 0 && box.x + box.width <= 390,
      `Approve within the screen: ${JSON.stringify(box)}`);
    assert.ok(await page.evaluate(() => {
      const b = document.querySelector('[data-testid="approve"]').getBoundingClientRect();
      const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
      return !!hit && !!hit.closest('[data-testid="approve"]');
    }), 'nothing covers Approve');
    // Scrolled to the end, the card's last details (metadata, pager) sit above the decision bar, not under it.
    const covered = await page.evaluate(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      const bar = document.querySelector('[data-testid="actions"]').getBoundingClientRect();
      return ['.review-card .meta', '[data-testid="position"]'].map((sel) => {
        const el = document.querySelector(sel);
        return el ? { sel, bottom: el.getBoundingClientRect().bottom, bar: bar.top } : { sel, missing: true };
      }).filter((r) => r.missing || r.bottom > r.bar);
    });
    assert.deepEqual(covered, [], `details under the decision bar: ${JSON.stringify(covered)}`);
    // A name field that takes the focus from the top of the page is scrolled above the bar, not left under it.
    await page.evaluate(() => window.scrollTo(0, 0));
    const field = page.getByRole('textbox', { name: 'New person' }).first();
    await field.waitFor();
    await field.focus();
    const under = await page.evaluate(() => {
      const bar = document.querySelector('[data-testid="actions"]').getBoundingClientRect();
      const f = document.activeElement.getBoundingClientRect();
      return f.bottom > bar.top ? { field: f.bottom, bar: bar.top } : null;
    });
    assert.equal(under, null, `the focused field is under the decision bar: ${JSON.stringify(under)}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    for (const [pageName, heading] of [['people', 'Face clusters'], ['stats', 'Statistics'], ['audit', 'Audit log'],
      ['settings', 'Settings'], ['review', 'Review']]) {
      const link = page.locator(`#nav a[data-page="${pageName}"]`);
      const linkBox = await link.boundingBox();
      assert.ok(linkBox && linkBox.width > 20 && linkBox.height > 20, `${pageName} link has a size`);
      await link.click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor({ state: 'attached' });
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${pageName}: the page is ${width} px wide`);
      if (pageName === 'people') {  // the enrolled persons are the People section's second tab
        await page.getByTestId('people-tab-enrolled').click();
        await page.getByRole('heading', { level: 1, name: 'Enrolled persons' }).waitFor({ state: 'attached' });
        assert.equal(await page.locator('#nav a[data-page="people"]').getAttribute('aria-current'), 'page');
      }
    }
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    assert.equal(await page.locator('#nav').isVisible(), false, 'no navigation on the login screen');
    assert.equal(await page.getByRole('button', { name: 'Log out' }).isVisible(), false);
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
  await logIn(page);
});

test('a delete is taken back by the toast\'s Undo and by Ctrl-Z; the trash view restores and purges', async () => {
  // Undo in the toast.
  let id = await openCard('#/review/unidentified', '05_obama2.jpg');
  const folder = path.dirname((await lib.item(id)).path);
  await blur();
  await page.keyboard.press('d');
  await toastStarting(page, 'Moved 05_obama2.jpg to the trash.').waitFor();
  assert.equal((await lib.item(id)).location, 'trash');
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastStarting(page, 'Undone: moved 05_obama2.jpg to the trash.').waitFor();
  let item = await lib.item(id);
  assert.deepEqual([item.location, path.dirname(item.path)], ['review', folder]);
  assert.ok(fs.existsSync(path.join(lib.library, item.path)));
  assert.equal((await lib.api(`/api/audit?item_id=${id}`)).entries[0].action, 'undo');

  // Ctrl-Z.
  id = await openCard('#/review/unidentified', '06_biden2.jpg');
  await blur();
  await page.keyboard.press('d');
  await toastStarting(page, 'Moved 06_biden2.jpg to the trash.').waitFor();
  await page.keyboard.press('Control+z');
  await toastStarting(page, 'Undone: moved 06_biden2.jpg to the trash').waitFor();
  assert.equal((await lib.item(id)).location, 'review');

  // The trash view: restore one, purge another (asked first).
  await page.locator('#nav a[data-page="trash"]').click();
  await page.getByRole('heading', { level: 1, name: 'Trash' }).waitFor();
  const entries = page.getByTestId('trash-item');
  await entries.first().waitFor();
  const count = await entries.count();
  assert.ok(count >= 2, `${count} items in the trash`);
  // The page says when a rejected photo goes for good, from the settings, and what purges it.
  assert.match(await page.getByTestId('trash-retention').innerText(),
    /rejected more than 30 days ago are deleted for good when the trash is purged \(triage review purge/);
  const restoreId = Number(await entries.nth(0).getAttribute('data-item-id'));
  await entries.nth(0).getByTestId('restore').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="trash-item"]').length === n, count - 1);
  assert.equal((await lib.item(restoreId)).location, 'review');
  // A restore is a decision like the others: its toast's Undo sends the photo back to the trash.
  await toastStarting(page, 'Restored ').waitFor();
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastStarting(page, 'Undone: ').waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="trash-item"]').length === n, count);
  assert.equal((await lib.item(restoreId)).location, 'trash');
  await page.locator(`[data-testid="trash-item"][data-item-id="${restoreId}"]`).getByTestId('restore').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="trash-item"]').length === n, count - 1);
  assert.equal((await lib.item(restoreId)).location, 'review');
  const purgeId = Number(await entries.nth(0).getAttribute('data-item-id'));
  const trashedPath = path.join(lib.library, (await lib.item(purgeId)).path);
  await entries.nth(0).getByTestId('purge').click();
  await page.getByTestId('confirm-yes').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="trash-item"]').length === n, count - 2);
  assert.equal(fs.existsSync(trashedPath), false);
  const gone = await lib.context.request.get(new URL(`/api/items/${purgeId}`, lib.baseUrl).toString());
  assert.equal(gone.status(), 404);
});

test('key 1 takes a likely match into the picker, and a then files the photo under it', async () => {
  const id = await openCard('#/review/unidentified', '04_biden.jpg');
  const select = page.getByTestId('person-select');
  assert.equal(await select.inputValue(), '', 'nothing is pre-selected');
  assert.match(await page.getByTestId('suggestion').innerText(), /^likely biden · distance 0\.41/);
  assert.equal(await page.getByTestId('suggestion').locator('kbd').innerText(), '1');
  await blur();
  await page.keyboard.press('1');
  assert.equal(await select.inputValue(), 'biden');
  assert.equal((await lib.item(id)).location, 'review');
  await blur();
  await page.keyboard.press('a');
  await toastStarting(page, 'Sorted 04_biden.jpg under biden').waitFor();
  const item = await lib.item(id);
  assert.deepEqual([item.location, item.person], ['library', 'biden']);
});

test('"Keep, no person" files a photo without a capture date under photos/undated/', async () => {
  const id = await openCard('#/review/unidentified', '07_sample.jpg');
  await blur();
  await page.keyboard.press('k');
  await toastStarting(page, 'Kept 07_sample.jpg in photos/').waitFor();
  const kept = await lib.item(id);
  assert.deepEqual([kept.location, kept.person, path.dirname(kept.path)], ['library', null, 'photos/undated']);
  assert.ok(fs.existsSync(path.join(lib.library, kept.path)));
  assert.equal((await lib.api(`/api/audit?item_id=${id}`)).entries[0].action, 'keep');
});

test('an approval and a keep are taken back by Undo and Ctrl-Z: file, queue and persons as before', async () => {
  const id = await openCard('#/review/unidentified', '06_biden2.jpg');
  const before = await lib.item(id);
  await page.getByTestId('person-new').fill('Zed New');
  await page.getByTestId('person-new').press('Enter');
  await toastStarting(page, 'Sorted 06_biden2.jpg under Zed New (faces/zed_new/).').waitFor();
  assert.equal((await lib.item(id)).location, 'library');
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastStarting(page, 'Undone: sorted 06_biden2.jpg under Zed New (faces/zed_new/).').waitFor();
  let item = await lib.item(id);
  assert.deepEqual([item.location, item.path, item.category], ['review', before.path, before.category]);
  assert.ok(fs.existsSync(path.join(lib.library, before.path)));
  assert.ok(!fs.existsSync(path.join(lib.library, 'faces/zed_new/06_biden2.jpg')));
  assert.ok(!(await lib.api('/api/persons')).persons.some((p) => p.name === 'zed_new'), 'the new person is forgotten');
  assert.equal((await lib.api(`/api/audit?item_id=${id}`)).entries[0].action, 'undo');

  // The keep toast offers Undo too; Ctrl-Z takes it.
  await openCard('#/review/unidentified', '06_biden2.jpg');
  await blur();
  await page.keyboard.press('k');
  const kept = toastStarting(page, 'Kept 06_biden2.jpg in photos/');
  await kept.waitFor();
  assert.equal(await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).isVisible(), true);
  await page.keyboard.press('Control+z');
  await toastStarting(page, 'Undone: kept 06_biden2.jpg').waitFor();
  item = await lib.item(id);
  assert.deepEqual([item.location, item.path], ['review', before.path]);
});

test('a duplicate: the better copy is marked per attribute; keep left puts it in the slot, the other in the trash', async () => {
  // A pair of its own (earlier tests move and purge the first photos): an original, then a byte copy of it.
  for (const name of ['10_original.jpg', '11_copy.jpg']) {
    const inbox = fs.mkdtempSync(path.join(lib.tmp, 'pair-'));
    fs.copyFileSync(path.join(fixtures, 'obama3.jpg'), path.join(inbox, name));
    lib.run(['ingest', '--source', 'browser-test', inbox]);
  }
  for (const item of (await lib.api('/api/items?per_page=200')).items) ids[item.file_name] = item.id;
  const id = await openCard('#/review/duplicates', '11_copy.jpg');
  const copy = await lib.item(id);
  const original = await lib.item(copy.duplicate_of);
  const table = page.getByTestId('compare-table');
  await table.waitFor();
  for (const attribute of ['Resolution', 'Sharpness', 'File size', 'Date taken', 'EXIF']) {
    assert.equal(await table.locator(`tr[data-attribute="${attribute}"]`).count(), 1, attribute);
  }
  // Each side says which file it is, where it came from and where it lies.
  const row = (attribute) => table.locator(`tr[data-attribute="${attribute}"] td`);
  assert.deepEqual(await row('File').allInnerTexts(), ['11_copy.jpg', original.file_name]);
  assert.deepEqual(await row('Source').allInnerTexts(), ['browser-test', original.source]);
  assert.deepEqual(await row('Folder').allInnerTexts(), ['review/duplicates', path.dirname(original.path)]);
  // Byte-identical copies: no side is better on any attribute, and the copy in the library is the one to keep.
  assert.equal(await table.locator('td[data-better="yes"]').count(), 0);
  assert.equal(await page.locator('[data-testid^="keep-"].primary').getAttribute('data-testid'), 'keep-right');
  assert.match(await page.getByTestId('keep-advice').innerText(), /^Recommended: keep right \(the existing one\): neither copy/);
  // The panes zoom together.
  await page.getByTestId('new-image').hover();
  await page.mouse.wheel(0, -200);
  const transforms = await page.evaluate(() => ['new-image', 'existing-image']
    .map((t) => document.querySelector(`[data-testid="${t}"] img`).style.transform));
  assert.ok(transforms[0].includes('scale(1.2') && transforms[0] === transforms[1], JSON.stringify(transforms));
  await page.getByTestId('compare-slider-mode').click();
  await page.getByTestId('compare-slider').waitFor();
  // A line divides the copies where the slider stands, and each side says which copy it is.
  const dividerAt = () => page.evaluate(() => {
    const stack = document.querySelector('.overlay-stack').getBoundingClientRect();
    const line = document.querySelector('[data-testid="overlay-divider"]').getBoundingClientRect();
    return Math.round(((line.left + line.width / 2 - stack.left) / stack.width) * 100);
  });
  assert.equal(await dividerAt(), 50);
  await page.getByTestId('compare-slider').fill('20');
  assert.equal(await dividerAt(), 20);
  assert.equal(await page.getByTestId('overlay-left').innerText(), 'New copy');
  assert.equal(await page.getByTestId('overlay-right').innerText(), 'Existing');
  // The zoom works on the panes side by side only: the slider offers none that would do nothing.
  assert.equal(await page.getByRole('button', { name: 'Zoom in' }).isVisible(), false);
  await page.getByRole('button', { name: 'Side by side' }).click();
  assert.equal(await page.getByRole('button', { name: 'Zoom in' }).isVisible(), true);
  await page.getByTestId('compare-slider-mode').click();

  await page.getByTestId('keep-left').click();
  await toastStarting(page, 'Kept 11_copy.jpg in').waitFor();
  const kept = await lib.item(id);
  const trashedOriginal = await lib.item(original.id);
  assert.deepEqual([kept.location, path.dirname(kept.path), kept.person],
    [original.location, path.dirname(original.path), original.person]);
  assert.equal(trashedOriginal.location, 'trash');
  assert.ok(fs.existsSync(path.join(lib.library, kept.path)));
  assert.ok(fs.existsSync(path.join(lib.library, trashedOriginal.path)));
  assert.ok(!fs.existsSync(path.join(lib.library, copy.path)));

  // Undo puts both back.
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastStarting(page, 'Undone: kept 11_copy.jpg in place of').waitFor();
  assert.deepEqual([(await lib.item(id)).path, (await lib.item(original.id)).path], [copy.path, original.path]);
  assert.ok(fs.existsSync(path.join(lib.library, copy.path)));
  assert.ok(fs.existsSync(path.join(lib.library, original.path)));
});

test('a copy kept beside an original that waits in review comes back as a photo of its own, not as the same duplicate', async () => {
  const id = await openCard('#/review/duplicates', '11_copy.jpg');
  const original = await lib.item((await lib.item(id)).duplicate_of);
  assert.equal(original.location, 'review');
  await blur();
  await page.keyboard.press('b');
  await toastStarting(page, 'Kept both; 11_copy.jpg is in').waitFor();
  const kept = await lib.item(id);
  assert.deepEqual([kept.location, kept.category], ['review', original.category]);
  // Its card in the original's category is a single photo to decide (approve, keep, delete), with no comparison.
  await openCard(`#/review/${original.category}`, '11_copy.jpg');
  const card = page.getByTestId('review-card');
  assert.equal(await card.getAttribute('data-category'), original.category);
  assert.equal(await page.getByTestId('compare-table').count(), 0);
  // Its reason says it was decided as a duplicate, and how, before what intake found.
  assert.match(await card.getByTestId('reason').innerText(), new RegExp(`^Decided as a duplicate already \\(${
    'tester kept it beside item '}${original.id}\\); it waits as a photo of its own\\. At intake: An identical file`));
  await page.getByTestId('keep').waitFor();
  await blur();
  await page.keyboard.press('l');   // a duplicate's key: nothing happens to a single photo
  assert.equal((await lib.item(id)).location, 'review');
  await page.keyboard.press('k');
  await toastStarting(page, 'Kept 11_copy.jpg').waitFor();
  assert.equal((await lib.item(id)).location, 'library');
  assert.equal((await lib.item(original.id)).location, 'review', 'the original still waits for its own decision');
});

test('a copy whose original was deleted is a photo of its own: approve, keep and delete, no comparison', async () => {
  for (const name of ['13_original.jpg', '14_copy.jpg']) {
    const inbox = fs.mkdtempSync(path.join(lib.tmp, 'gone-'));
    fs.copyFileSync(path.join(fixtures, 'Tom_Cruise_avp_2014_4.jpg'), path.join(inbox, name));
    lib.run(['ingest', '--source', 'browser-test', inbox]);
  }
  for (const item of (await lib.api('/api/items?per_page=200')).items) ids[item.file_name] = item.id;
  lib.run(['review', 'reject', String(ids['13_original.jpg'])]);
  const id = await openCard('#/review/duplicates', '14_copy.jpg');
  const card = page.getByTestId('review-card');
  await page.getByTestId('keep').waitFor();
  assert.equal(await page.getByTestId('compare-table').count(), 0, 'no comparison with a photo in the trash');
  assert.equal(await page.getByTestId('keep-left').count(), 0);
  assert.equal(await page.getByTestId('approve').count(), 1);
  assert.match(await card.getByTestId('reason').innerText(), new RegExp(`^Its original, item ${
    ids['13_original.jpg']}, is in the trash, so this copy is a photo of its own now: approve it, keep it or delete it\\.`));
  await blur();
  await page.keyboard.press('k');
  await toastStarting(page, 'Kept 14_copy.jpg').waitFor();
  assert.equal((await lib.item(id)).location, 'library');
});

test('a near duplicate smaller than the photo in the library: keeping the larger one is the button offered', async () => {
  const inbox = fs.mkdtempSync(path.join(lib.tmp, 'small-'));
  fs.copyFileSync(path.join(fixtures, '../demo/obama3_small.jpg'), path.join(inbox, '12_small.jpg'));
  lib.run(['ingest', '--source', 'browser-test', inbox]);
  for (const item of (await lib.api('/api/items?per_page=200')).items) ids[item.file_name] = item.id;
  const id = await openCard('#/review/near_duplicates', '12_small.jpg');
  const copy = await lib.item(id);
  const original = await lib.item(copy.duplicate_of);
  assert.ok(original.width > copy.width, `${original.width} > ${copy.width}`);
  const table = page.getByTestId('compare-table');
  assert.equal(await table.locator('tr[data-attribute="Resolution"] td').nth(1).getAttribute('data-better'), 'yes');
  // The primary button (what Enter and a glance choose) keeps the larger original, not the new small copy.
  assert.equal(await page.locator('[data-testid^="keep-"].primary').getAttribute('data-testid'), 'keep-right');
  assert.equal(await page.getByTestId('keep-left').getAttribute('class'), '');
  assert.match(await page.getByTestId('keep-advice').innerText(),
    /^Recommended: keep right \(the existing one\): better on resolution/);
  await screenshot(page, 'near-duplicate-recommended');
  await page.getByTestId('keep-right').click();
  // This decision's own toast: the one before ("Kept 14_copy.jpg …") may still be showing.
  await toastStarting(page, 'Kept the existing copy; 12_small.jpg went to the trash.').waitFor();
  assert.equal((await lib.item(id)).location, 'trash');
  assert.equal((await lib.item(original.id)).path, original.path);
});

test('persons: a reference face is shown cut out of its photo, removed, and put back by Undo', async () => {
  await page.locator('#nav a[data-page="people"]').click();
  await page.getByTestId('people-tab-enrolled').click();
  const refs = page.getByTestId('references-sheldon');
  const face = refs.getByTestId('reference');
  await face.waitFor();
  assert.equal(await face.count(), 1);
  const crop = face.locator('.face-crop img');
  assert.equal(await crop.getAttribute('data-box'), '10,10,80,80');
  assert.ok(await crop.evaluate((img) => img.style.left.endsWith('px') && parseFloat(img.style.width) > 72),
    'the crop is placed and scaled by the face box');
  await face.getByTestId('remove-reference').click();
  await toastStarting(page, 'Removed a reference face of sheldon.').waitFor();
  await refs.getByText('No reference faces yet.').waitFor();
  const persons = async () => (await lib.api('/api/persons')).persons.find((p) => p.name === 'sheldon');
  assert.equal((await persons()).references, 0);
  assert.equal((await lib.api('/api/audit?per_page=5')).entries.some((e) => e.action === 'reference'), true);
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastStarting(page, 'Undone: removed a reference face of sheldon.').waitFor();
  await refs.getByTestId('reference').waitFor();
  assert.equal((await persons()).references, 1);
});

test('a double click on a dialog\'s Remove removes one person: the second click reaches nothing under the dialog', async () => {
  await page.evaluate(() => { location.hash = '#/people/enrolled'; });
  const sam = page.locator('[data-testid="person"][data-name="sam"]');
  await sam.waitFor();
  await page.evaluate(() => {
    window.secondClicks = 0;
    document.addEventListener('click', (e) => { if (e.detail > 1) window.secondClicks++; });
  });
  await sam.getByTestId('person-remove').click();
  await page.getByTestId('confirm-dialog').waitFor();
  await page.getByTestId('confirm-yes').dblclick();
  await toastStarting(page, 'Removed Sam').or(toastStarting(page, 'Removed sam')).first().waitFor();
  await sam.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('confirm-dialog').count(), 0, 'no second dialog opened');
  assert.equal(await page.evaluate(() => window.secondClicks), 0, 'the second click was dropped');
  const names = (await lib.api('/api/persons')).persons.map((p) => p.name);
  assert.ok(!names.includes('sam') && names.includes('dora') && names.includes('biden'), names.join(', '));
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await sam.waitFor();
});

test('grid: arrows move, Space selects, Shift+arrows select a range, Ctrl+A the whole category; delete asks with the count', async () => {
  await page.evaluate(() => { location.hash = '#/review'; });
  await page.getByTestId('grid-mode').click();
  const tiles = page.getByTestId('tile');
  await tiles.nth(2).waitFor();
  const idOf = async (i) => Number(await tiles.nth(i).getAttribute('data-item-id'));
  const checked = () => page.evaluate(() => [...document.querySelectorAll('[data-testid="tile"]')]
    .slice(0, 3).map((t) => t.querySelector('input').checked));
  // The cursor is on the first tile from the start, drawn before any key (a first arrow moves from a tile seen).
  assert.equal(await tiles.nth(0).evaluate((t) => t.classList.contains('cursor')), true);
  assert.equal(await page.locator('[data-testid="tile"].cursor').count(), 1);
  await blur();
  await page.keyboard.press('Space');                 // tile 0
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');            // the cursor moves on: tile 2, nothing else selected
  await page.getByTestId('selected-count').filter({ hasText: '1 selected' }).waitFor();
  assert.deepEqual(await checked(), [true, false, false]);
  assert.equal(await tiles.nth(2).evaluate((t) => t.classList.contains('cursor')), true);
  await page.keyboard.press('Shift+ArrowLeft');       // the range from tile 2 to tile 1
  await page.getByTestId('selected-count').filter({ hasText: '3 selected' }).waitFor();
  assert.deepEqual(await checked(), [true, true, true]);
  await page.keyboard.press('Space');                 // tile 1 again: unselected
  await page.getByTestId('selected-count').filter({ hasText: '2 selected' }).waitFor();
  const total = (await lib.api('/api/review/queue')).total;
  await page.keyboard.press('Control+a');
  await page.getByTestId('selected-count').filter({ hasText: `${total} selected` }).waitFor();
  await page.getByTestId('bulk-reject').click();
  const dialog = page.getByTestId('confirm-dialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), new RegExp(`Delete ${total} photos\\?`));
  await page.getByTestId('confirm-no').click();
  for (const i of [0, 1, 2]) assert.equal((await lib.item(await idOf(i))).location, 'review');
  // Another category keeps the view the reviewer chose.
  await page.locator('.chip:not(.active)').first().click();
  await page.locator('.chip.active:not([data-category="all"])').waitFor();
  await tiles.first().waitFor();
  assert.match(await page.getByTestId('grid-mode').getAttribute('class'), /active/);
  await page.evaluate(() => { location.hash = '#/review'; });
  await page.getByRole('button', { name: 'One by one' }).click();
});

// Every page at 1440×900 and 390×844: a screenshot into the build folder, and axe-core finds nothing serious.
test('every page: screenshots at both sizes and no serious or critical accessibility violation', async () => {
  const axeSource = fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
  const pages = [['review', '#/review/unidentified', 'Review'], ['review-grid', '#/review/unidentified', 'Review'],
    ['duplicates', '#/review/duplicates', 'Review'], ['persons', '#/persons', 'Enrolled persons'],
    ['people', '#/people', 'Face clusters'],
    ['stats', '#/stats', 'Statistics'], ['trash', '#/trash', 'Trash'], ['audit', '#/audit', 'Audit log'],
    ['settings', '#/settings', 'Settings']];
  const problems = [];
  async function scan(name) {
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    for (const v of result.violations.filter((x) => ['serious', 'critical'].includes(x.impact))) {
      problems.push(`${name} @${page.viewportSize().width}: ${v.id} (${v.impact}) ${v.help}: ` +
        v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | '));
    }
  }
  for (const size of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(size);
    for (const [name, hash, heading] of pages) {
      await page.evaluate(() => { location.hash = '#/stats'; });
      await page.getByRole('heading', { level: 1, name: 'Statistics' }).waitFor();
      await page.evaluate((h) => { location.hash = h; }, hash);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor({ state: 'attached' });
      if (name === 'review-grid') await page.getByTestId('grid-mode').click();
      if (name.startsWith('review') || name === 'duplicates') {
        await page.locator('[data-testid="review-card"], [data-testid="tile"]').first().waitFor();
      }
      await page.waitForLoadState('networkidle');
      await screenshot(page, name);
      await scan(name);
      if (name === 'stats') {
        // The legend's colour keys stay small squares at every width (a page-wide class once stretched one).
        const keys = await page.locator('.legend .key').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
        assert.ok(keys.length === 2 && keys.every((h) => h <= 12), `legend keys ${keys} px high @${size.width}`);
      }
      if (name === 'review-grid') await page.getByRole('button', { name: 'One by one' }).click();
    }
  }
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  for (const size of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(size);
    await screenshot(page, 'login');
    await scan('login');
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  await logIn(page);
  assert.deepEqual(problems, []);
});

test('a skip link is the Tab stop before the navigation, shows itself, and takes the keys past it to the page', async () => {
  await page.evaluate(() => { location.hash = '#/review/unidentified'; });
  const id = await currentCardId(page);
  // The address names the card on screen (its place in the queue, for a reload).
  await page.waitForFunction((cardId) => location.hash.startsWith(`#/review/unidentified?item=${cardId}&`), id);
  const route = await page.evaluate(() => location.hash);
  await page.locator('a.brand').focus();   // the first link of the header: one Shift+Tab back is the page's first stop
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-link');
  const box = await page.locator('#skip-link').boundingBox();
  assert.ok(box && box.y >= 0, `skip link on screen when focused: ${JSON.stringify(box)}`);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'app');
  assert.equal(await page.evaluate(() => location.hash), route, 'the route stays');
});

test('? opens the shortcuts sheet, Esc closes it; shortcuts are ignored while it is open', async () => {
  await page.evaluate(() => { location.hash = '#/review/unidentified'; });
  const id = await currentCardId(page);
  await blur();
  await page.keyboard.press('?');
  const sheet = page.getByTestId('shortcuts');
  await sheet.waitFor();
  assert.match(await sheet.innerText(), /Approve & sort/);
  await page.keyboard.press('d');
  assert.equal((await lib.item(id)).location, 'review');
  await page.keyboard.press('Escape');
  await sheet.waitFor({ state: 'detached' });
});

// The admin logs out and rita (role user, added by the test below) logs in.
async function logOutAndInAsRita() {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('User name').fill('rita');
  await page.getByLabel('Password').fill('rita-password-1');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('rita · user').waitFor();
}

test('a role that may not add persons is told so when it types a name nobody has, and nothing moves', async () => {
  lib.run(['user', 'add', 'rita', '--role', 'user'], 'rita-password-1\n');
  await logOutAndInAsRita();
  await page.evaluate(() => { location.hash = '#/review/unidentified'; });
  const id = await currentCardId(page);
  const before = await lib.item(id);
  // No box for a new person; the picker takes the name, and Enter says why it cannot be filed under it.
  assert.equal(await page.getByTestId('person-new').count(), 0);
  await page.getByTestId('person-select').fill('Barack');
  await page.getByTestId('person-select').press('Enter');
  await toastStarting(page, 'Nobody named "Barack" is enrolled, and your role may not add persons').waitFor();
  assert.deepEqual([(await lib.item(id)).location, (await lib.item(id)).path], [before.location, before.path]);
  await page.getByRole('button', { name: 'Log out' }).click();
  await logIn(page, { inPlace: true });
});

test('trash: a photo another user moved there offers Restore but not Delete now to a role that may not purge it',
  async () => {
    // The admin deletes a photo waiting for review.
    await page.evaluate(() => { location.hash = '#/review/unidentified'; });
    const id = await currentCardId(page);
    await page.getByTestId('review-card').focus();
    await page.keyboard.press('d');
    await itemReaches(lib, id, 'trash');
    const tile = page.locator(`[data-testid="trash-item"][data-item-id="${id}"]`);
    await page.evaluate(() => { location.hash = '#/trash'; });
    await tile.getByTestId('purge').waitFor();   // the admin may delete it for good

    // A user who did not move it there sees whose it is instead of a button the server would refuse.
    await logOutAndInAsRita();
    await page.evaluate(() => { location.hash = '#/trash'; });
    await tile.getByTestId('restore').waitFor();
    assert.equal(await tile.getByTestId('purge').count(), 0);
    assert.equal(await tile.getByTestId('purge-not-yours').textContent(),
      'Moved here by tester: only they or an admin can delete it for good.');
    const listed = (await page.evaluate(async () => (await (await fetch('/api/items?location=trash&per_page=200'))
      .json()).items)).find((i) => i.id === id);
    assert.deepEqual([listed.trashed_by, listed.may_purge], ['tester', false]);
    assert.equal((await lib.item(id)).location, 'trash');
    await page.getByRole('button', { name: 'Log out' }).click();
    await logIn(page, { inPlace: true });
  });

test('Esc in the person picker keeps a name typed out in full, so that a then approves as that person', async () => {
  await page.evaluate(() => { location.hash = '#/review/unidentified'; });
  const id = await currentCardId(page);
  const select = page.getByTestId('person-select');
  await select.click();
  await page.keyboard.type('dora');
  await page.keyboard.press('Escape');
  assert.equal(await select.inputValue(), 'dora', 'the typed name stays in the box');
  assert.equal(await select.getAttribute('data-value'), 'dora');
  await page.keyboard.press('a');
  const item = await itemReaches(lib, id, 'library');
  assert.deepEqual([item.location, item.person], ['library', 'dora']);
  // Text that names nobody in full is dropped by Esc, as before: a then asks who it is.
  await page.evaluate(() => { location.hash = '#/review/unidentified'; });
  const next = await currentCardId(page);
  await select.click();
  await page.keyboard.type('do');
  await page.keyboard.press('Escape');
  assert.equal(await select.inputValue(), '');
  await page.keyboard.press('a');
  await toastStarting(page, 'Choose who').first().waitFor();
  assert.equal((await lib.item(next)).location, 'review');
});
