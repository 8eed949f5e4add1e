// Whether a reviewer can trust the review queue, driven in headless Chromium against a real `triage serve`: several
// wrong decisions taken back one per Ctrl-Z, newest first (across a reload); an undo the server refuses because the
// photo changed since, said plainly, with the next press going on; a reload that keeps the photo on screen; and keys
// pressed while a decision is on its way, which wait and never act on the photo that took its place.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openLibrary, closeLibrary, logIn, currentCardId, openReviewQueue, waitForCardChange, toastStarting,
  screenshot } from './harness.mjs';

let lib; let page;

before(async () => {
  const photos = [['skimage_coffee.jpg', '01_coffee.jpg'], ['skimage_astronaut.jpg', '02_astronaut.jpg'],
    ['obama.jpg', '03_obama.jpg'], ['biden.jpg', '04_biden.jpg'], ['obama2.jpg', '05_obama2.jpg'],
    ['biden2.jpg', '06_biden2.jpg'], ['vladmandic_sample1.jpg', '07_sample.jpg']];
  lib = await openLibrary({ photos });
  page = lib.page;
  await logIn(page);
});

after(async () => { await closeLibrary(lib); });

const blur = () => page.evaluate(() => document.activeElement && document.activeElement.blur());
const toastText = (text) => toastStarting(page, text);
const card = (id) => page.getByTestId('review-card').and(page.locator(`[data-item-id="${id}"]`));
const queue = async () => (await lib.api('/api/review/queue/unidentified?per_page=50')).items.map((i) => i.id);
const openQueue = () => openReviewQueue(page);
// Presses `key` on the card on screen and waits for the decision's toast and the next card.
async function decide(key, said) {
  const id = await currentCardId(page);
  const item = await lib.item(id);
  await blur();
  await page.keyboard.press(key);
  await toastText(said(item.file_name)).waitFor();
  await waitForCardChange(page, id);
  return item;
}
// A POST from outside the page (as another tab of the same user would send it).
async function post(p) {
  const { csrf_token: csrf } = await lib.api('/api/auth/session');
  const res = await lib.context.request.post(new URL(p, lib.baseUrl).toString(),
    { headers: { 'X-CSRF-Token': csrf }, data: {} });
  assert.equal(res.status(), 200, `${p}: ${await res.text()}`);
}

test('three wrong decisions are taken back one per Ctrl-Z, newest first, each showing its photo, across a reload',
  async () => {
    await openQueue();
    const kept = await decide('k', (name) => `Kept ${name} in photos/`);
    const deleted = await decide('d', (name) => `Moved ${name} to the trash.`);
    const skipped = await decide('s', (name) => `Skipped ${name} for later.`);
    assert.equal((await lib.item(kept.id)).location, 'library');
    assert.equal((await lib.item(deleted.id)).location, 'trash');

    // The newest first: the skip. The photo that came back is the one on screen, and the toast names it.
    await blur();
    await page.keyboard.press('Control+z');
    await toastText(`Undone: skipped ${skipped.file_name}. 2 more can be taken back.`).waitFor();
    await card(skipped.id).waitFor();
    assert.equal((await queue())[0], skipped.id, 'the skipped photo is back at its place in the queue');
    assert.equal((await lib.item(deleted.id)).location, 'trash', 'one press takes back one decision');

    // Then the delete, from the toast's "Undo previous".
    await page.getByTestId('toast-action').filter({ hasText: 'Undo previous' }).click();
    await toastText(`Undone: moved ${deleted.file_name} to the trash. 1 more can be taken back.`).waitFor();
    await card(deleted.id).waitFor();
    const back = await lib.item(deleted.id);
    assert.deepEqual([back.location, back.path], ['review', deleted.path]);
    assert.equal((await lib.item(kept.id)).location, 'library');

    // The list outlives a reload: the keep goes back last.
    await page.reload();
    await page.getByTestId('review-card').waitFor();
    await blur();
    await page.keyboard.press('Control+z');
    await toastText(`Undone: kept ${kept.file_name}`).waitFor();
    await card(kept.id).waitFor();
    const restored = await lib.item(kept.id);
    assert.deepEqual([restored.location, restored.path], ['review', kept.path]);

    await blur();
    await page.keyboard.press('Control+z');
    await toastText('Nothing to undo: Ctrl-Z takes back this tab\'s last 20 decisions').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('triage.undoList')), null);
    assert.equal((await queue()).length, 7);
  });

test('an undo refused because its photo changed since says so, and the next Ctrl-Z goes on with the one before',
  async () => {
    await openQueue();
    const kept = await decide('k', (name) => `Kept ${name} in photos/`);
    const deleted = await decide('d', (name) => `Moved ${name} to the trash.`);
    // The deleted photo is restored from the trash page meanwhile: the delete's undo can no longer apply.
    await page.locator('#nav a[data-page="trash"]').click();
    await page.getByRole('heading', { level: 1, name: 'Trash' }).waitFor();
    await page.locator(`[data-testid="trash-item"][data-item-id="${deleted.id}"]`).getByTestId('restore').click();
    await toastText(`Restored ${deleted.file_name}`).waitFor();
    assert.equal((await lib.item(deleted.id)).location, 'review');
    const restoredPath = (await lib.item(deleted.id)).path;

    await page.locator('#nav a[data-page="review"]').click();
    await page.getByTestId('review-card').waitFor();
    await blur();
    await page.keyboard.press('Control+z');
    const refusal = toastText(`Could not undo “Moved ${deleted.file_name} to the trash”: item ${deleted.id} was moved ` +
      'since (it is in review/unidentified now); nothing was changed. Ctrl-Z goes on with the decision before it.');
    await refusal.waitFor();
    assert.equal(await page.locator('#toast').getAttribute('class'), 'toast error');
    const still = await lib.item(deleted.id);
    assert.deepEqual([still.location, still.path], ['review', restoredPath], 'the refused undo changed nothing');
    assert.equal((await lib.item(kept.id)).location, 'library', 'a refusal takes back nothing else');

    // The next press takes back the keep before it.
    await blur();
    await page.keyboard.press('Control+z');
    await toastText(`Undone: kept ${kept.file_name} in photos/`).waitFor();
    assert.equal((await lib.item(kept.id)).location, 'review');
    await blur();
    await page.keyboard.press('Control+z');
    await toastText('Nothing to undo').waitFor();
  });

test('a reload shows the photo that was on screen while it waits for review, else the one that took its place',
  async () => {
    const first = await openQueue();
    await blur();
    await page.keyboard.press('ArrowRight');
    await waitForCardChange(page, first);
    const second = await currentCardId(page);
    await page.keyboard.press('ArrowRight');
    await waitForCardChange(page, second);
    const third = await currentCardId(page);
    await page.waitForFunction((id) => location.hash === `#/review/unidentified?item=${id}&at=3`, third);

    await page.reload();
    await card(third).waitFor();
    assert.equal(await page.getByTestId('position').innerText(), '3 of 7');

    // Decided in another tab meanwhile: the reload shows the photo after it, now at its place.
    const order = await queue();
    const next = order[order.indexOf(third) + 1];
    await post(`/api/review/${third}/keep`);
    await page.reload();
    await card(next).waitFor();
    assert.equal(await page.getByTestId('position').innerText(), '3 of 6');

    // The address follows the card; the chip of the category (or the Review link) starts at the head of the queue.
    await page.waitForFunction((id) => location.hash === `#/review/unidentified?item=${id}&at=3`, next);
    await page.locator('#nav a[data-page="review"]').click();
    await page.getByTestId('position').filter({ hasText: /^1 of / }).waitFor();
  });

test('a key pressed while a decision is on its way waits, and never acts on the photo that took its place', async () => {
  const shown = await openQueue();
  const name = (await lib.item(shown)).file_name;
  let release;
  let held = new Promise((resolve) => { release = resolve; });
  let failWith = 0;   // a status the server is made to answer with instead (0: its own answer)
  const rejects = [];
  page.on('request', (r) => { if (r.method() === 'POST' && /\/reject$/.test(r.url())) rejects.push(r.url()); });
  await page.route('**/api/review/*/keep', async (route) => {
    await held;
    if (failWith) {
      await route.fulfill({ status: failWith, contentType: 'application/json',
        body: JSON.stringify({ error: 'unavailable', message: 'the catalog is busy; try again' }) });
      return;
    }
    await route.continue();
  });
  try {
    await blur();
    await page.keyboard.press('k');
    await page.locator('[aria-busy="true"]').waitFor();
    // A second key while the keep is on its way: it waits, and the card says so.
    await page.keyboard.press('d');
    const notice = card(shown).getByTestId('key-notice');
    await notice.filter({ hasText: 'Saving the last change: “d” then acts on this photo if it is still the one shown.' })
      .waitFor();
    // A third: one key waits at most, and the card says this one was not taken.
    await page.keyboard.press('s');
    await notice.filter({ hasText: '“d” waits already, so “s” was not taken.' }).waitFor();
    release();
    await toastText(`Kept ${name} in photos/`).waitFor();
    await waitForCardChange(page, shown);
    const next = await currentCardId(page);
    // The photo that took its place is not deleted: the key was meant for the one kept, and the card says so.
    await card(next).getByTestId('key-notice').filter({ hasText: `“d” was not applied: you pressed it on ${name}, ` +
      'which is no longer the photo shown. Press it again to act on' }).waitFor();
    await screenshot(page, 'review-key-not-applied');
    assert.equal((await lib.item(next)).location, 'review');
    assert.equal((await lib.item(shown)).location, 'library');
    assert.deepEqual(rejects, [], 'no delete was sent');

    // When the decision fails, the photo it was on is still the one shown: the key that waited acts on it.
    held = new Promise((resolve) => { release = resolve; });
    failWith = 503;
    await blur();
    await page.keyboard.press('k');
    await page.locator('[aria-busy="true"]').waitFor();
    await page.keyboard.press('s');
    await card(next).getByTestId('key-notice').filter({ hasText: '“s” then acts on this photo' }).waitFor();
    release();
    await toastText(`Skipped ${(await lib.item(next)).file_name} for later.`).waitFor();
    assert.equal((await queue()).at(-1), next, 'the skip went to the photo it was pressed on');
    assert.equal((await lib.item(next)).location, 'review');
  } finally { await page.unroute('**/api/review/*/keep'); }
});
