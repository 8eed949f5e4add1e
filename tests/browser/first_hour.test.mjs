// What a photographer meets in the first hour with a library, each driven in headless Chromium against a real
// `triage serve`: the statistics with a long person name on a phone, Ctrl-Z on another page while the toast of a
// review decision still offers its Undo, the settings' lists with a warning under one of them, and long file names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openLibrary, closeLibrary, logIn, currentCardId, toastStarting, screenshot } from './harness.mjs';

let lib; let page;
const LONG_NAME = 'IMG_20240612_wedding_reception_at_the_old_mill_riverside_garden_final_edit';
// Longer than a tile shows whole (96 characters), within the library's 180 bytes.
const VERY_LONG_NAME = `Family_reunion_${'at_grandmas_house_'.repeat(7)}IMG_0042_final_edit_v5 (copy).jpg`;

before(async () => {
  lib = await openLibrary({
    photos: [['skimage_coffee.jpg', 'coffee.jpg'], ['skimage_astronaut.jpg', 'astronaut.jpg'],
      ['obama.jpg', 'obama.jpg'], ['biden.jpg', 'biden.jpg'],
      // Two exports of one shoot whose names differ only at their end.
      ['biden2.jpg', `${LONG_NAME}_v3.jpg`], ['obama2.jpg', `${LONG_NAME}_v4.jpg`],
      ['Tom_Cruise_avp_2014_4.jpg', VERY_LONG_NAME]],
  });
  page = lib.page;
  await logIn(page);
});

after(async () => { await closeLibrary(lib); });

const blur = () => page.evaluate(() => document.activeElement && document.activeElement.blur());
const go = async (hash, heading) => {
  await page.evaluate((h) => { location.hash = h; }, hash);
  if (heading) await page.getByRole('heading', { level: 1, name: heading }).waitFor();
};
async function onPhone(run) {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await page.waitForFunction(() => document.documentElement.clientWidth === 390);
    await run();
  } finally { await page.setViewportSize({ width: 1440, height: 900 }); }
}

test('review grid and trash: a long file name is shown whole, so two names that differ at their end can be told apart',
  async () => {
    const shown = (tile) => tile.locator('.tile-name').evaluate((el) => ({ text: el.textContent, title: el.title,
      cut: el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1,
      inside: el.getBoundingClientRect().right <= el.closest('[data-testid]').getBoundingClientRect().right + 1 }));
    await go('#/review/unidentified');
    await page.getByTestId('grid-mode').click();
    for (const end of ['_v3.jpg', '_v4.jpg']) {
      const tile = page.getByTestId('tile').filter({ hasText: `${LONG_NAME}${end}` });
      await tile.waitFor();
      assert.deepEqual(await shown(tile), { text: `${LONG_NAME}${end}`, title: `${LONG_NAME}${end}`, cut: false,
        inside: true });
    }
    // A name longer than 96 characters shows its beginning and its end (the counter, the edit's mark), whole in the
    // tooltip, instead of wrapping over eight lines.
    const veryLong = page.getByTestId('tile').filter({ hasText: 'final_edit_v5 (copy).jpg' });
    await veryLong.waitFor();
    const long = await shown(veryLong);
    assert.equal(long.title, VERY_LONG_NAME);
    assert.equal(long.text, `${Array.from(VERY_LONG_NAME).slice(0, 63).join('')}…${VERY_LONG_NAME.slice(-32)}`);
    assert.equal(long.cut, false);
    assert.equal(long.inside, true);
    await screenshot(page, 'review-grid-long-names');
    // Deleted, the photo's tile in the trash shows the whole name too.
    const tile = page.getByTestId('tile').filter({ hasText: `${LONG_NAME}_v3.jpg` });
    await tile.locator('input[type="checkbox"]').check();
    await page.getByTestId('bulk-reject').click();
    await page.getByTestId('confirm-yes').click();
    await tile.waitFor({ state: 'detached' });
    await go('#/trash', 'Trash');
    const trashed = page.getByTestId('trash-item').filter({ hasText: `${LONG_NAME}_v3.jpg` });
    await trashed.waitFor();
    assert.deepEqual(await shown(trashed), { text: `${LONG_NAME}_v3.jpg`, title: `${LONG_NAME}_v3.jpg`, cut: false,
      inside: true });
    await go('#/review/unidentified');
    await page.getByRole('button', { name: 'One by one' }).click();
  });

test('stats: a person with a long name wraps in "Library by person" on a phone instead of widening the page',
  async () => {
    const longest = 'z'.repeat(100);
    await go('#/review/unidentified');
    const id = await currentCardId(page);
    await page.getByTestId('person-new').fill(longest);
    await page.getByTestId('approve').click();
    await toastStarting(page, 'Sorted ').waitFor();
    assert.equal((await lib.item(id)).person, longest);
    await go('#/stats', 'Statistics');
    await page.getByRole('cell', { name: longest }).waitFor();
    await onPhone(async () => {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `the statistics page is ${width} px wide`);
      const box = await page.getByRole('cell', { name: longest }).boundingBox();
      assert.ok(box.x + box.width <= 390, `the name's cell ends at ${box.x + box.width} px`);
      await screenshot(page, 'stats-long-name');
    });
  });

test('Ctrl-Z on the trash page, with the toast of a delete made in review still offering Undo, takes that delete back',
  async () => {
    await go('#/review/unidentified');
    const id = await currentCardId(page);
    const before = await lib.item(id);
    await blur();
    await page.keyboard.press('d');
    await toastStarting(page, `Moved ${before.file_name} to the trash`).waitFor();
    assert.equal((await lib.item(id)).location, 'trash');
    await go('#/trash', 'Trash');
    await page.getByText(before.file_name, { exact: true }).waitFor();
    assert.ok(await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).isVisible(),
      'the delete\'s Undo is still offered on the trash page');
    await blur();
    await page.keyboard.press('Control+z');
    await toastStarting(page, 'Undone: ').waitFor();
    const item = await lib.item(id);
    assert.deepEqual([item.location, item.path], ['review', before.path]);
    await page.getByText(before.file_name, { exact: true }).waitFor({ state: 'detached' });
  });

test('stats: the chart\'s dates and counts are drawn at the text size of the page on a phone and on a wide screen',
  async () => {
    const sizes = async () => {
      await go('#/stats', 'Statistics');
      await page.locator('.chart .axis').first().waitFor();
      // The chart is drawn again once it knows its width.
      await page.waitForTimeout(300);
      return page.evaluate(() => [...document.querySelectorAll('.chart .axis')]
        .map((t) => ({ text: t.textContent, height: t.getBoundingClientRect().height })));
    };
    const check = (labels, where) => {
      assert.ok(labels.length >= 3, `${where}: the chart shows its dates and counts`);
      for (const { text, height } of labels) {
        assert.ok(height >= 11 && height <= 18, `${where}: "${text}" is drawn ${height.toFixed(1)} px high`);
      }
    };
    check(await sizes(), 'at 1440 px');
    await onPhone(async () => {
      check(await sizes(), 'at 390 px');
      await screenshot(page, 'stats-chart');
    });
  });

test('settings: a warning under the whitelist leaves the blacklist\'s box under its help text, both boxes in line',
  async () => {
    await go('#/settings', 'Settings');
    await page.getByTestId('whitelist-input').fill('nobody enrolled by this name');
    await page.getByTestId('save-whitelist').click();
    await page.getByTestId('whitelist-warning').getByText('is not an enrolled person').waitFor();
    const box = (locator) => locator.boundingBox();
    // Where the help text's words end (its element may be taller than they are).
    const helpBottom = await page.getByText('One name per line. Photos of these persons always go to review.')
      .evaluate((el) => { const range = document.createRange(); range.selectNodeContents(el);
        return range.getBoundingClientRect().bottom; });
    const black = await box(page.getByTestId('blacklist-input'));
    const white = await box(page.getByTestId('whitelist-input'));
    const gap = black.y - helpBottom;
    assert.ok(gap >= 0 && gap <= 24, `the blacklist's box is ${gap.toFixed(0)} px below its help text`);
    assert.ok(Math.abs(black.y - white.y) <= 1, `the boxes start at ${white.y} and ${black.y} px`);
    await screenshot(page, 'settings-list-warning');
    await onPhone(async () => {
      const phoneBlack = await box(page.getByTestId('blacklist-input'));
      const phoneHelp = await page.getByText('One name per line. Photos of these persons always go to review.')
        .evaluate((el) => { const range = document.createRange(); range.selectNodeContents(el);
          return range.getBoundingClientRect().bottom; });
      const phoneGap = phoneBlack.y - phoneHelp;
      assert.ok(phoneGap >= 0 && phoneGap <= 24, `on a phone the blacklist's box is ${phoneGap.toFixed(0)} px below its help`);
      // The warning names the enrolled persons, one with a 100-letter name: it wraps too.
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `on a phone the settings page is ${width} px wide`);
      await screenshot(page, 'settings-list-warning');
    });
    // Left without saving: the page asks first; the test leaves the field as it was.
    await page.getByTestId('whitelist-input').fill('');
  });

test('audit log and enrolled persons: the form beside the heading keeps a gap above what follows, wrapped on a phone too',
  async () => {
    const gapBelowForm = () => page.evaluate(() => {
      const head = document.querySelector('.page-head');
      const form = head.querySelector('form');
      return head.nextElementSibling.getBoundingClientRect().top - form.getBoundingClientRect().bottom;
    });
    const check = async (where) => {
      for (const [hash, heading] of [['#/audit', 'Audit log'], ['#/persons', 'Enrolled persons']]) {
        await go(hash, heading);
        const gap = await gapBelowForm();
        assert.ok(gap >= 8, `${where}, ${heading}: what follows the form starts ${gap.toFixed(1)} px below it`);
      }
    };
    await check('at 1440 px');
    await onPhone(async () => {
      await check('at 390 px');
      await go('#/audit', 'Audit log');
      await screenshot(page, 'audit-head');
    });
  });

test('settings: a refused threshold marks its field and takes the focus there; the mark goes once a preview is made',
  async () => {
    await go('#/settings', 'Settings');
    const field = page.getByTestId('threshold-min_confidence');
    const before = await field.inputValue();
    const invalid = () => page.locator('[data-testid^="threshold-"][aria-invalid="true"]')
      .evaluateAll((els) => els.map((el) => el.dataset.testid));
    await field.fill('1.5');
    await page.getByTestId('preview-thresholds').click();
    await page.getByTestId('toast-text').filter({ hasText: '"Minimum confidence to sort automatically": must be' })
      .waitFor();
    // The toast goes after a while; the field stays marked, and the keys are on it to correct it.
    assert.deepEqual(await invalid(), ['threshold-min_confidence']);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'threshold-min_confidence');
    const outline = await field.evaluate((el) => getComputedStyle(el).borderColor);
    const other = await page.getByTestId('threshold-match_distance').evaluate((el) => getComputedStyle(el).borderColor);
    assert.notEqual(outline, other, 'the refused field looks different from the others');
    // An emptied field is refused in the page: marked the same way.
    await page.getByTestId('threshold-match_distance').fill('');
    await page.getByTestId('preview-thresholds').click();
    await page.getByTestId('toast-text').filter({ hasText: '"Largest face distance that can still match": enter a number' })
      .waitFor();
    assert.deepEqual(await invalid(), ['threshold-match_distance']);
    // Two fields emptied, or two values out of range: both named at once and both marked, the first one focused.
    const sizeBefore = await page.getByTestId('threshold-min_face_size').inputValue();
    await page.getByTestId('threshold-min_face_size').fill('');
    await page.getByTestId('preview-thresholds').click();
    await page.getByTestId('toast-text').filter({ hasText: '"Smallest face in pixels": enter a number' }).waitFor();
    assert.deepEqual(await invalid(), ['threshold-match_distance', 'threshold-min_face_size']);
    await page.getByTestId('threshold-match_distance').fill('0.6');
    await page.getByTestId('threshold-min_face_size').fill(sizeBefore);
    const detection = page.getByTestId('threshold-min_detection_confidence');
    const detectionBefore = await detection.inputValue();
    await detection.fill('2');
    await page.getByTestId('threshold-match_distance').fill('0');
    await page.getByTestId('preview-thresholds').click();
    const all = page.getByTestId('toast-text').filter({ hasText: '"Minimum face detection score": must be' });
    await all.waitFor();
    // Named in the order the form shows them (the server names them by key, match_distance first).
    const text = await all.innerText();
    const at = ['"Minimum confidence to sort automatically": must be', '"Largest face distance that can still match": ' +
      'must be', '"Minimum face detection score": must be'].map((words) => text.indexOf(words));
    assert.ok(at.every((i) => i >= 0) && at[0] < at[1] && at[1] < at[2], text);
    assert.deepEqual(await invalid(),
      ['threshold-min_confidence', 'threshold-match_distance', 'threshold-min_detection_confidence']);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'threshold-min_confidence');
    await page.getByTestId('threshold-match_distance').fill('0.6');
    await detection.fill(detectionBefore);
    await field.fill('0.7');
    await page.getByTestId('preview-thresholds').click();
    await page.getByTestId('confirm-thresholds').waitFor();
    assert.deepEqual(await invalid(), []);
    // What the preview counts is what would happen to photos coming in now: saving does not move them, and the
    // preview says so rather than listing moves from faces/ above a line saying sorted photos never move.
    const previewText = await page.getByTestId('confirm-thresholds').locator('..').innerText();
    assert.match(previewText, /the photos counted here are not moved by it/);
    assert.doesNotMatch(previewText, /would now go elsewhere/);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await field.fill(before);
  });
