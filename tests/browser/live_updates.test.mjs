// Live updates in headless Chromium: with the review page open, photos added by a separate `triage ingest` process
// show in the chips, the nav's count, "x of N" and the grid without a reload, and the card on screen stays; a card
// another process decided says so and stops taking decisions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, currentCardId, fixtures } from './harness.mjs';

let lib; let page;

before(async () => {
  lib = await openLibrary({ photos: [['obama.jpg', 'a_obama.jpg'], ['biden.jpg', 'b_biden.jpg']] });
  ({ page } = lib);
});

after(async () => { await closeLibrary(lib); });

// Runs `triage ingest` in a process of its own on a folder holding `name` as `as`.
function ingestElsewhere(name, as) {
  const dir = fs.mkdtempSync(path.join(lib.tmp, 'elsewhere-'));
  fs.copyFileSync(path.join(fixtures, name), path.join(dir, as));
  lib.run(['ingest', '--source', 'another-process', dir]);
}

const chipCount = (category) => page.locator(`.chip[data-category="${category}"] .count`);
const waitForText = (locator, text) => locator.filter({ hasText: new RegExp(`^${text}$`) }).waitFor();

test('photos ingested by another process show on the open review page without a reload', async () => {
  await logIn(page);
  await page.getByTestId('position').filter({ hasText: '1 of 2' }).waitFor();
  await waitForText(page.getByTestId('nav-pending'), '2');
  const shown = await currentCardId(page);
  // A mark on the card element: a redrawn card would lose it.
  await page.getByTestId('review-card').evaluate((card) => { card.dataset.mark = 'still-here'; });
  await page.getByTestId('person-new').fill('typed before');

  ingestElsewhere('skimage_coffee.jpg', 'c_coffee.jpg');
  await page.getByTestId('position').filter({ hasText: '1 of 3' }).waitFor();
  await waitForText(chipCount('all'), '3');
  await waitForText(chipCount('unidentified'), '3');
  await waitForText(page.getByTestId('nav-pending'), '3');
  assert.equal(await currentCardId(page), shown, 'the card on screen stays');
  assert.equal(await page.getByTestId('review-card').getAttribute('data-mark'), 'still-here', 'not redrawn');
  assert.equal(await page.getByTestId('person-new').inputValue(), 'typed before', 'what was typed stays');
  await page.getByTestId('person-new').fill('');
  assert.equal((await lib.api('/api/review/queue')).total, 3);
});

const focusedTileId = () => page.evaluate(() => {
  const tile = document.activeElement && document.activeElement.closest('[data-testid="tile"]');
  return tile ? Number(tile.dataset.itemId) : null;
});

test('a new photo appears in the grid', async () => {
  await page.getByTestId('grid-mode').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 3);
  const first = page.getByTestId('tile').first();
  const checkedId = Number(await first.getAttribute('data-item-id'));
  await first.locator('input[type=checkbox]').check();
  // The keyboard's place: the cursor moved to the last tile with the arrows.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const cursorId = await focusedTileId();
  assert.notEqual(cursorId, null, 'a tile has the focus');
  ingestElsewhere('skimage_astronaut.jpg', 'd_astronaut.jpg');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 4);
  await waitForText(chipCount('all'), '4');
  assert.equal(await page.locator(`[data-testid="tile"][data-item-id="${checkedId}"] input[type=checkbox]`)
    .isChecked(), true, 'the selection survives');
  assert.equal(await focusedTileId(), cursorId, 'the focus stays on the same photo after the grid is redrawn');
  assert.equal(await page.locator(`[data-testid="tile"][data-item-id="${cursorId}"]`).evaluate(
    (tile) => tile.classList.contains('cursor')), true);
  await page.getByTestId('selected-count').filter({ hasText: '1 selected' }).waitFor();
  await page.getByRole('button', { name: 'One by one' }).click();
  await page.getByTestId('position').filter({ hasText: '1 of 4' }).waitFor();
});

test('a card another process decided says so and takes no decision', async () => {
  const shown = await currentCardId(page);
  lib.run(['review', 'reject', String(shown)]);
  const notice = page.getByTestId('decided-elsewhere');
  await notice.waitFor();
  await waitForText(chipCount('all'), '3');
  await waitForText(page.getByTestId('nav-pending'), '3');
  assert.equal(await page.getByTestId('approve').isDisabled(), true);
  assert.equal(await page.getByTestId('reject').isDisabled(), true);
  assert.equal((await lib.item(shown)).location, 'trash');
  // Its place in the queue is gone, its name boxes take no typing, and a key for it says why it changed nothing.
  assert.equal(await page.getByTestId('position').innerText(), 'no longer in the queue');
  assert.equal(await page.getByTestId('person-select').isDisabled(), true);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('k');
  await page.getByTestId('toast-text').filter({ hasText: 'changed nothing: this photo was decided elsewhere' })
    .waitFor();
  assert.equal((await lib.item(shown)).location, 'trash');
  // → goes on, as the notice's button does.
  await page.keyboard.press('ArrowRight');
  await page.getByTestId('position').filter({ hasText: '1 of 3' }).waitFor();
  assert.notEqual(await currentCardId(page), shown);
});

test('a decision taken on the page updates the nav count at once, without waiting for a poll', async () => {
  // No poll answers from here on: whatever the nav shows next comes from the review page itself.
  await page.route('**/api/changes*', (route) => route.abort());
  await waitForText(page.getByTestId('nav-pending'), '3');
  const shown = await currentCardId(page);
  await page.getByTestId('reject').click();
  await page.getByTestId('position').filter({ hasText: '1 of 2' }).waitFor();
  await waitForText(chipCount('all'), '2');
  await waitForText(page.getByTestId('nav-pending'), '2');
  assert.equal((await lib.item(shown)).location, 'trash');
  await page.unroute('**/api/changes*');
});

// A selected photo that another process decides leaves the selection: "2 selected" with one box ticked asked to
// delete two photos, and the one gone was then "not changed".
test('a selected photo decided elsewhere leaves the grid\'s selection', async () => {
  await page.getByTestId('grid-mode').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 2);
  const tiles = page.getByTestId('tile');
  const ids = [Number(await tiles.nth(0).getAttribute('data-item-id')), Number(await tiles.nth(1).getAttribute('data-item-id'))];
  for (const i of [0, 1]) await tiles.nth(i).locator('input[type=checkbox]').check();
  await page.getByTestId('selected-count').filter({ hasText: '2 selected' }).waitFor();
  lib.run(['review', 'reject', String(ids[1])]);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 1);
  await page.getByTestId('selected-count').filter({ hasText: '1 selected' }).waitFor();
  assert.equal(await page.locator(`[data-testid="tile"][data-item-id="${ids[0]}"] input[type=checkbox]`).isChecked(),
    true, 'the photo still waiting stays selected');
  assert.equal((await lib.item(ids[1])).location, 'trash');
});
