// The review UI in headless Chromium against a real `triage serve` on 127.0.0.1: log in, approve an item as a new
// person, reject one, bulk-approve three, open a side-by-side duplicate, change the whitelist; then check the files
// on disk and the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, currentCardId as cardId, waitForCardChange as cardChange, USER }
  from './harness.mjs';

let lib; let library; let page;
const api = (p) => lib.api(p);
const currentCardId = () => cardId(page);
const waitForCardChange = (id) => cardChange(page, id);

before(async () => {
  const photos = ['obama.jpg', 'biden.jpg', 'skimage_coffee.jpg', 'skimage_astronaut.jpg', 'obama2.jpg',
    'biden2.jpg', 'vladmandic_sample1.jpg'].map((p, i) => [p, `${i}_${p}`]);
  photos.push(['obama.jpg', '9_obama_copy.jpg']);  // an exact duplicate
  lib = await openLibrary({ photos });
  ({ library, page } = lib);
});

after(async () => { await closeLibrary(lib); });

test('review workflow in the browser', async () => {
  await logIn(page);

  // The queue: 8 photos, "1 of 8", chips with counts.
  await assert.doesNotReject(page.getByTestId('position').filter({ hasText: '1 of 8' }).waitFor());
  assert.match(await page.locator('.chip[data-category="duplicates"]').innerText(), /1/);

  // Approve the first as a new person.
  const approvedId = await currentCardId();
  await page.getByTestId('person-new').fill('Test Person');
  await page.getByTestId('approve').click();
  await waitForCardChange(approvedId);

  // Reject the next one with the keyboard shortcut.
  const rejectedId = await currentCardId();
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('d');
  await waitForCardChange(rejectedId);
  await page.getByTestId('position').filter({ hasText: '1 of 6' }).waitFor();

  // Bulk-approve three (not the duplicate) as the now-existing person.
  await page.getByTestId('grid-mode').click();
  const tiles = page.locator('[data-testid="tile"]:not([data-category="duplicates"])');
  await tiles.first().waitFor();
  const bulkIds = [];
  for (let i = 0; i < 3; i++) {
    const tile = tiles.nth(i);
    bulkIds.push(Number(await tile.getAttribute('data-item-id')));
    await tile.locator('input[type=checkbox]').check();
  }
  await page.getByTestId('selected-count').filter({ hasText: '3 selected' }).waitFor();
  await page.getByTestId('bulk-person-select').fill('test_person');   // a name typed out in full is taken
  await page.getByTestId('bulk-approve').click();
  // No face was found in these pictures: approving them under a person is asked first, and confirmed here.
  const asked = page.getByTestId('confirm-dialog');
  await asked.waitFor();
  assert.match(await asked.locator('h2').innerText(), /^3 photos without a face$/);
  await asked.getByTestId('confirm-yes').click();
  await page.locator('[data-testid="tile"]').nth(2).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 3, null,
    { polling: 100 });

  // The duplicate, side by side with the photo it duplicates (approved above).
  await page.locator('.chip[data-category="duplicates"]').click();
  await page.getByRole('button', { name: 'One by one' }).click();
  const pair = page.getByTestId('side-by-side');
  await pair.waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="side-by-side"] img')]
    .every((img) => img.complete && img.naturalWidth > 0), null, { polling: 100 });
  assert.equal(await pair.locator('img').count(), 2, await pair.innerText());
  assert.match(await page.getByTestId('existing-image').innerText(), new RegExp(`item ${approvedId}`));
  assert.match(await pair.innerText(), /Resolution/);

  // A duplicate is decided as one: keep left, keep right or keep both (their keys l, r, b), never approved as a person
  // (that filed a second copy of one picture). "Keep both" files the copy beside the photo it duplicates.
  const dupId = await currentCardId();
  const card = page.getByTestId('review-card');
  assert.equal(await card.getByTestId('approve').count(), 0);
  await card.focus();
  await page.keyboard.press('b');
  await page.getByText(/^Kept both; 9_obama_copy\.jpg is in faces\/test_person\.$/).first().waitFor();
  const filedCopy = (await api(`/api/items/${dupId}`)).item;
  assert.equal(path.dirname(filedCopy.path), 'faces/test_person');

  // Change the whitelist in the settings.
  await page.locator('#nav a[data-page="settings"]').click();
  await page.getByTestId('whitelist-input').fill('Test Person\nsomeone_else');
  await page.getByTestId('save-whitelist').click();
  // Nobody called someone_else is enrolled: the page says so before saving.
  await page.getByTestId('whitelist-warning').getByText('“someone_else” is not an enrolled person.').waitFor();
  await page.getByTestId('save-anyway').click();
  await page.getByText('Saved the whitelist (2 names).').waitFor();

  // Files on disk.
  const approved = (await api(`/api/items/${approvedId}`)).item;
  assert.equal(approved.location, 'library');
  assert.equal(path.dirname(approved.path), 'faces/test_person');
  assert.ok(fs.existsSync(path.join(library, approved.path)));
  const rejected = (await api(`/api/items/${rejectedId}`)).item;
  assert.equal(rejected.location, 'trash');
  assert.ok(rejected.path.startsWith('.triage/trash/'));
  assert.ok(fs.existsSync(path.join(library, rejected.path)));
  for (const id of bulkIds) {
    const item = (await api(`/api/items/${id}`)).item;
    assert.equal(path.dirname(item.path), 'faces/test_person', `item ${id}`);
    assert.ok(fs.existsSync(path.join(library, item.path)), `item ${id} on disk`);
  }
  const inReview = fs.readdirSync(path.join(library, 'review'), { recursive: true })
    .filter((f) => /\.(jpe?g|png)$/i.test(f));
  assert.equal(inReview.length, 2);
  const config = JSON.parse(fs.readFileSync(path.join(library, 'triage.json'), 'utf8'));
  assert.deepEqual(config.whitelist, ['test_person', 'someone_else']);

  // The audit log names the reviewer for every decision and the config change.
  const audit = async (id) => (await api(`/api/audit?item_id=${id}`)).entries[0];
  assert.deepEqual([(await audit(approvedId)).action, (await audit(approvedId)).actor], ['approve', USER]);
  assert.equal((await audit(approvedId)).to, 'faces/test_person');
  assert.deepEqual([(await audit(rejectedId)).action, (await audit(rejectedId)).actor], ['reject', USER]);
  for (const id of bulkIds) assert.equal((await audit(id)).action, 'approve');
  const configEntries = (await api(`/api/audit?actor=${USER}`)).entries.filter((e) => e.action === 'config');
  assert.equal(configEntries.length, 1);
  assert.equal(configEntries[0].to, '["test_person","someone_else"]');
  // A threshold saved twice (a double click on Save): one entry, naming only the value that changed.
  const { csrf_token: csrf } = await api('/api/auth/session');
  const confidence = (await api('/api/config')).thresholds.min_confidence;
  for (let i = 0; i < 2; i++) {
    const res = await lib.context.request.put(new URL('/api/config/thresholds', lib.baseUrl).toString(),
      { headers: { 'X-CSRF-Token': csrf }, data: { min_confidence: 0.65, match_distance: (await api('/api/config')).thresholds.match_distance } });
    assert.equal(res.status(), 200, await res.text());
  }
  assert.equal((await api(`/api/audit?actor=${USER}`)).entries.filter((e) => e.action === 'config').length, 2);

  // The audit page says it in words, without JSON or staging paths.
  await page.locator('#nav a[data-page="audit"]').click();
  const lines = page.getByTestId('audit-row');
  await lines.first().waitFor();
  // Each item by its number and its file's name; the person as written, the folder in the move.
  await lines.filter({ hasText: new RegExp(`${USER} approved item ${approvedId} \\([^()]+\\.jpg\\) as Test Person — ` +
    'review/unidentified → faces/test_person') }).waitFor();
  await lines.filter({ hasText: new RegExp(`${USER} moved item ${rejectedId} \\([^()]+\\.jpg\\) to the trash — from ` +
    'review/unidentified') }).waitFor();
  await lines.filter({ hasText: `${USER} changed the whitelist: nobody → test_person, someone_else` }).waitFor();
  assert.equal(await lines.filter({ hasText: `${USER} changed the thresholds: min confidence ${confidence} → 0.65` })
    .innerText().then((t) => /→ 0\.65$/.test(t)), true, 'one line, naming the one threshold that changed');
  const text = await page.locator('.audit-list').innerText();
  assert.doesNotMatch(text, /[[\]{}]|staging/);

  // The action filter asks the server (the whole log, not the page on screen); a refused filter is said under the
  // form, which stays.
  await page.getByTestId('audit-action').selectOption('reject');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="audit-row"]')]
    .every((row) => row.dataset.action === 'reject'));
  await lines.filter({ hasText: new RegExp(`moved item ${rejectedId} \\([^()]+\\) to the trash`) }).waitFor();
  await page.getByRole('textbox', { name: 'Item id' }).fill('abc');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByTestId('audit-error').waitFor();
  assert.equal(await page.getByTestId('audit-error').textContent(),
    'Item id: must be an item number from 1 up, such as 17 (got "abc").');
  assert.equal(await page.getByText('Nothing matches.').count(), 0, 'a refused filter is not also "nothing matches"');
  assert.equal(await page.getByRole('textbox', { name: 'Item id' }).getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByRole('textbox', { name: 'Item id' }).inputValue(), 'abc', 'the form stays as typed');
  for (const wrong of ['-1', '1e3', '0']) {
    await page.getByRole('textbox', { name: 'Item id' }).fill(wrong);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByTestId('audit-error').filter({ hasText: `(got "${wrong}")` }).waitFor();
  }
  await page.getByRole('textbox', { name: 'Item id' }).fill('');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.getByTestId('audit-error').waitFor({ state: 'detached' });
});
