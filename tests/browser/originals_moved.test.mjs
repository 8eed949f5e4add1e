// Where a duplicate's original stands now, in headless Chromium against a real `triage serve`: a copy whose original
// was filed after intake says where it went; one whose original an approved proposal archived is a photo of its own,
// kept into photos/ and never into the archive; a PNG copy of a JPEG wins nothing on file size; a link to a photo no
// longer waiting says so; a proposal whose proposed photo was deleted is out of date and says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, toastStarting, fixtures } from './harness.mjs';

let lib; let page;
const ids = {};   // file name -> item id

before(async () => {
  // The originals first, then (a second intake) their copies: an exact copy of each JPEG, and a PNG re-encode of one.
  lib = await openLibrary({
    photos: [['skimage_coffee.jpg', 'a1_orig.jpg'], ['skimage_astronaut.jpg', 'b1_orig.jpg'],
      ['obama.jpg', 'c1_orig.jpg'], ['biden.jpg', 'd1_orig.jpg'], ['obama2.jpg', 'e1_slot.jpg'],
      ['Tom_Cruise_avp_2014_4.jpg', 'e2_proposed.jpg']],
  });
  page = lib.page;
  const inbox = fs.mkdtempSync(path.join(lib.tmp, 'copies-'));
  for (const [name, as] of [['skimage_coffee.jpg', 'a2_copy.jpg'], ['skimage_astronaut.jpg', 'b2_copy.jpg'],
    ['obama.jpg', 'c2_copy.jpg']]) fs.copyFileSync(path.join(fixtures, name), path.join(inbox, as));
  // The PNG re-encode is made by the browser itself (a canvas), so that the test needs no image tool installed.
  const jpeg = fs.readFileSync(path.join(fixtures, 'biden.jpg')).toString('base64');
  const png = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/jpeg;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    canvas.getContext('2d').drawImage(img, 0, 0);
    return canvas.toDataURL('image/png').split(',')[1];
  }, jpeg);
  fs.writeFileSync(path.join(inbox, 'd2_copy.png'), Buffer.from(png, 'base64'));
  lib.run(['ingest', '--source', 'browser-test', inbox]);
  await logIn(page);
  for (const item of (await lib.api('/api/items?per_page=200')).items) ids[item.file_name] = item.id;
  for (const name of ['a2_copy.jpg', 'b2_copy.jpg', 'c2_copy.jpg', 'd2_copy.png']) {
    const original = ids[name.replace(/2_copy\.(jpg|png)$/, '1_orig.jpg')];
    assert.equal((await lib.item(ids[name])).duplicate_of, original, `${name} is a copy of item ${original}`);
  }
});

after(async () => { await closeLibrary(lib); });

// A POST with the page's session (its CSRF token), as another tab of the same admin would send it.
async function post(p, data = {}) {
  const { csrf_token: csrf } = await lib.api('/api/auth/session');
  const res = await lib.context.request.post(new URL(p, lib.baseUrl).toString(),
    { headers: { 'X-CSRF-Token': csrf }, data });
  return { status: res.status(), body: await res.json().catch(() => null) };
}
async function postOk(p, data) {
  const res = await post(p, data);
  assert.ok(res.status >= 200 && res.status < 300, `${p}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

// The card of `id` in `category`, opened by its address and drawn afresh (by way of the Statistics page).
async function openCard(category, id) {
  await page.evaluate(() => { location.hash = '#/stats'; });
  await page.getByRole('heading', { level: 1, name: 'Statistics' }).waitFor();
  await page.evaluate(([c, i]) => { location.hash = `#/review/${c}?item=${i}&at=1`; }, [category, id]);
  const card = page.locator(`[data-testid="review-card"][data-item-id="${id}"]`);
  await card.waitFor();
  return card;
}
const blur = () => page.evaluate(() => document.activeElement && document.activeElement.blur());

test('a copy whose original was filed after intake says where the original is now; one whose original still waits does not', async () => {
  await postOk(`/api/review/${ids['a1_orig.jpg']}/keep`);
  const original = await lib.item(ids['a1_orig.jpg']);
  assert.equal(original.location, 'library');
  const folder = path.dirname(original.path);
  assert.match(folder, /^photos\//);
  let card = await openCard('duplicates', ids['a2_copy.jpg']);
  const reason = await card.getByTestId('reason').innerText();
  assert.ok(reason.includes(`Item ${original.id} has moved since: it is now in ${folder}, as a1_orig.jpg.`), reason);
  // The comparison's right side is the original where it is now.
  assert.equal(await card.locator('tr[data-attribute="Folder"] td').nth(1).innerText(), folder);

  card = await openCard('duplicates', ids['b2_copy.jpg']);
  const still = await card.getByTestId('reason').innerText();
  assert.ok(still.includes('review/unidentified/b1_orig.jpg'), `the intake reason names the original: ${still}`);
  assert.ok(!still.includes('has moved since'), still);
  assert.equal((await lib.item(ids['b1_orig.jpg'])).location, 'review');
});

test('a copy whose original an approved proposal archived is a photo of its own; k keeps it in photos/, not the archive', async () => {
  const originalId = ids['c1_orig.jpg'];
  const copyId = ids['c2_copy.jpg'];
  await postOk(`/api/review/${originalId}/approve`, { person: 'Ada' });
  const proposal = await postOk('/api/proposals', { current_item_id: originalId });
  await postOk(`/api/proposals/${proposal.id}/approve`);
  assert.equal((await lib.item(originalId)).location, 'archive');

  const card = await openCard('duplicates', copyId);
  const reason = await card.getByTestId('reason').innerText();
  assert.ok(reason.startsWith(`Its original, item ${originalId}, is archived (an approved proposal replaced it), so ` +
    'this copy is a photo of its own now: approve it, keep it or delete it.'), reason);
  for (const testid of ['approve', 'keep', 'reject']) assert.equal(await card.getByTestId(testid).count(), 1, testid);
  for (const testid of ['keep-left', 'keep-right', 'keep-both', 'compare-table']) {
    assert.equal(await card.getByTestId(testid).count(), 0, `${testid} offered for an archived original`);
  }
  await blur();
  await page.keyboard.press('k');
  await toastStarting(page, 'Kept c2_copy.jpg').waitFor();
  const kept = await lib.item(copyId);
  assert.equal(kept.location, 'library');
  assert.match(kept.path, /^photos\//);
  assert.ok(fs.existsSync(path.join(lib.library, kept.path)));
  assert.equal((await lib.item(originalId)).location, 'archive', 'the archived original stays where it is');
});

test('a PNG copy of a JPEG: file size marks neither side better, and the advice does not count it', async () => {
  const card = await openCard('near_duplicates', ids['d2_copy.png']);
  const table = card.getByTestId('compare-table');
  await table.waitFor();
  assert.deepEqual(await table.locator('tr[data-attribute="File"] td').allInnerTexts(), ['d2_copy.png', 'd1_orig.jpg']);
  const [png, jpeg] = [await lib.item(ids['d2_copy.png']), await lib.item(ids['d1_orig.jpg'])];
  assert.ok(png.size_bytes > 2 * jpeg.size_bytes, `the PNG is much larger: ${png.size_bytes} vs ${jpeg.size_bytes}`);
  const sizes = table.locator('tr[data-attribute="File size"] td');
  assert.equal(await sizes.count(), 2);
  assert.deepEqual(await sizes.evaluateAll((tds) => tds.map((td) => td.dataset.better)), ['no', 'no']);
  assert.equal(await table.locator('tr[data-attribute="File size"] [data-better="yes"]').count(), 0);
  const advice = await card.getByTestId('keep-advice').innerText();
  assert.match(advice, /^Recommended: keep /);
  assert.ok(!advice.includes('file size'), advice);
});

test('a link to a photo no longer waiting says so and shows the photo in its place', async () => {
  assert.ok((await lib.api('/api/review/queue/unidentified?per_page=200')).items.length > 0, 'photos wait');
  await page.evaluate(() => { location.hash = '#/stats'; });
  await page.getByRole('heading', { level: 1, name: 'Statistics' }).waitFor();
  await page.evaluate(() => { location.hash = '#/review/unidentified?item=999999&at=1'; });
  await toastStarting(page, 'Item 999999 of the address no longer waits in unidentified (decided meanwhile, or never ' +
    'here): this is the photo in its place.').waitFor();
  const card = page.getByTestId('review-card');
  await card.waitFor();
  assert.notEqual(Number(await card.getAttribute('data-item-id')), 999999);
});

test('a proposal whose proposed photo was deleted is out of date and says it is in the trash', async () => {
  const slot = ids['e1_slot.jpg'];
  const proposed = ids['e2_proposed.jpg'];
  await postOk(`/api/review/${slot}/approve`, { person: 'Eve' });
  const proposal = await postOk('/api/proposals', { current_item_id: slot, proposed_item_id: proposed });
  await postOk(`/api/review/${proposed}/reject`);
  assert.equal((await lib.item(proposed)).location, 'trash');
  const refused = await post(`/api/proposals/${proposal.id}/approve`);
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  assert.equal((await lib.api(`/api/proposals/${proposal.id}`)).status, 'stale');

  await page.evaluate(() => { location.hash = '#/proposals?status=stale'; });
  const detail = page.locator(`[data-testid="proposal-detail"][data-proposal-id="${proposal.id}"]`);
  await detail.waitFor();
  assert.match(await detail.locator('h2').innerText(), / · Out of date$/);
  const row = page.locator(`[data-testid="proposal-row"][data-proposal-id="${proposal.id}"]`);
  assert.equal((await row.locator('[data-code="stale"]').innerText()).trim(), 'Out of date');
  const why = await detail.getByTestId('stale-why').innerText();
  assert.equal(why, `Out of date: item ${proposed} (the proposed image) was deleted since it was proposed (it is in ` +
    'the trash). Nothing was applied.');
  assert.equal((await lib.item(slot)).location, 'library', 'the slot\'s image stays');
});

// The Statistics page follows the catalog like the navigation's queue count: a photo decided elsewhere (another tab,
// the CLI) leaves "waiting for review" without a reload.
test('the statistics follow decisions made elsewhere', async () => {
  await page.evaluate(() => { location.hash = '#/stats'; });
  const waiting = page.getByTestId('in-review').locator('.value');
  await waiting.waitFor();
  const before = Number(await waiting.innerText());
  const queue = await lib.api('/api/review/queue?category=unidentified');
  assert.ok(queue.items.length > 0, 'a photo waits in unidentified');
  await postOk(`/api/review/${queue.items[0].id}/keep`);
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="in-review"] .value')?.textContent)
    === n, before - 1, { timeout: 15000 });
});
