// Toasts that go with their context, the People section's address of its second tab, and the phone layout of the
// navigation and of the duplicate view, in headless Chromium against a real `triage serve`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, screenshot, currentCardId, toastStarting } from './harness.mjs';

let lib; let page;

before(async () => {
  lib = await openLibrary({
    photos: [['skimage_coffee.jpg', 'coffee.jpg'], ['skimage_astronaut.jpg', 'astronaut.jpg'], ['obama.jpg', 'obama.jpg']],
    // An exact copy of a photo waiting for review: a duplicate shown side by side.
    extra: (inbox) => fs.copyFileSync(path.join(inbox, 'obama.jpg'), path.join(inbox, 'zz_copy.jpg')),
    // Both copies with a capture time, as a camera writes it.
    prepare: (library) => execFileSync('sqlite3', [path.join(library, '.triage/catalog.db')],
      { input: "UPDATE items SET taken_at = '2024-05-06T12:53:07' WHERE original_name IN ('obama.jpg', 'zz_copy.jpg');" }),
  });
  page = lib.page;
  await logIn(page);
});

after(async () => { await closeLibrary(lib); });

const toastShown = () => page.locator('#toast').isVisible();

test('toasts: "Select some photos first." goes once a photo is selected; an error goes with its category and page', async () => {
  await page.goto('/#/review/unidentified');
  await page.getByTestId('grid-mode').click();
  await page.getByTestId('tile').first().waitFor();
  await page.getByTestId('bulk-keep').click();
  await page.getByTestId('toast-text').filter({ hasText: 'Select some photos first.' }).waitFor();
  await page.getByTestId('tile').first().locator('input[type="checkbox"]').check();
  await page.locator('#toast').waitFor({ state: 'hidden', timeout: 2000 });
  await page.getByTestId('tile').first().locator('input[type="checkbox"]').uncheck();

  // An error on one category's page goes when another category is chosen, and when another page opens.
  await page.getByTestId('bulk-keep').click();
  await page.getByTestId('toast-text').filter({ hasText: 'Select some photos first.' }).waitFor();
  await page.locator('.chip[data-category="duplicates"]').click();
  await page.waitForFunction(() => location.hash === '#/review/duplicates');
  assert.equal(await toastShown(), false, 'the other category\'s error is gone');
  await page.evaluate(() => { location.hash = '#/review/unidentified'; });
  await page.getByTestId('tile').first().waitFor();
  await page.getByTestId('bulk-keep').click();
  await page.getByTestId('toast-text').filter({ hasText: 'Select some photos first.' }).waitFor();
  await page.evaluate(() => { location.hash = '#/stats'; });
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  assert.equal(await toastShown(), false, 'the review page\'s error is gone on the stats page');
  await page.evaluate(() => { location.hash = '#/review/unidentified'; });
  await page.getByRole('button', { name: 'One by one' }).click();
});

test('toasts: what "Look for proposals now" found stays until dismissed', async () => {
  await page.goto('/#/proposals');
  await page.getByTestId('run-workflows').click();
  const said = page.getByTestId('toast-text').filter({ hasText: /^(Found \d+ new proposals?|The workflows ran and found nothing new to propose)\.$/ });
  await said.waitFor();
  await page.waitForTimeout(9000);
  assert.equal(await said.isVisible(), true, 'still there after 9 s');
  await page.getByTestId('toast-dismiss').click();
  await page.locator('#toast').waitFor({ state: 'hidden' });
});

test('#/people/enrolled opens the Enrolled persons tab', async () => {
  await page.goto('/#/people/enrolled');
  await page.getByRole('heading', { level: 1, name: 'Enrolled persons' }).waitFor();
  assert.equal(await page.getByTestId('people-tab-enrolled').getAttribute('aria-current'), 'page');
  assert.equal(await page.locator('nav a[data-page="people"][aria-current="page"]').count(), 1);
});

test('an address that names no page says so; an unknown review category shows the whole queue and says why', async () => {
  for (const address of ['#/nonexistent', '#/items/999999']) {
    await page.goto(`/${address}`);
    await page.getByRole('heading', { level: 1, name: 'No such page' }).waitFor();
    assert.equal(await page.getByTestId('page-missing').locator('code').textContent(), address);
    assert.equal(await page.locator('#nav a[aria-current="page"]').count(), 0, 'no page of the navigation is current');
    assert.equal(await page.getByTestId('review-card').count(), 0, 'the review queue is not shown in its place');
  }
  await page.getByTestId('page-missing').getByRole('link', { name: 'Gallery' }).click();
  await page.getByRole('heading', { level: 1, name: 'Gallery' }).waitFor();

  await page.goto('/#/review/bogus');
  await page.getByTestId('review-card').waitFor();
  await page.locator('#toast').filter({ hasText: 'There is no review category "bogus": every photo waiting for review' +
    ' is shown.' }).waitFor();
  await page.waitForFunction(() => location.hash.startsWith('#/review?') || location.hash === '#/review');
  assert.ok(!(await page.evaluate(() => location.hash)).includes('bogus'));
});

test('a page whose data cannot be fetched says the server could not be reached and offers to try again', async () => {
  await page.goto('/#/review');
  await page.getByTestId('review-card').waitFor();
  const refuse = (route) => route.abort('connectionrefused');
  await page.route('**/api/items?*', refuse);
  try {
    await page.evaluate(() => { location.hash = '#/trash'; });
    const failed = page.getByTestId('page-failed');
    await failed.getByRole('heading', { name: 'The server could not be reached' }).waitFor();
    assert.match(await failed.textContent(), /Nothing was changed\./);
    assert.doesNotMatch(await failed.textContent(), /Failed to fetch/);
    assert.equal(await failed.getByTestId('page-retry').count(), 1);
  } finally { await page.unroute('**/api/items?*', refuse); }
  // Try again; the page may have loaded by itself meanwhile, once the live updates heard from the server.
  await page.getByTestId('page-retry').click({ timeout: 3000 }).catch(() => {});
  await page.getByRole('heading', { level: 1, name: 'Trash' }).waitFor();
  assert.equal(await page.getByTestId('page-failed').count(), 0);
  assert.equal(await page.evaluate(() => location.hash), '#/trash');
});

test('a decision or bulk action without an answer, or with a proxy\'s error page, names the photo and what was asked',
  async () => {
    await page.goto('/#/review/unidentified');
    const id = await currentCardId(page);
    const name = (await lib.item(id)).file_name;
    const posts = (answer) => (route) => (route.request().method() === 'POST' ? answer(route) : route.fallback());
    const refuse = posts((route) => route.abort('connectionrefused'));
    await page.route('**/api/review/**', refuse);
    try {
      await page.evaluate(() => document.activeElement && document.activeElement.blur());
      await page.keyboard.press('k');
      await toastStarting(page, `Could not keep ${name}: no answer from the server (it may be stopped or restarting, ` +
        'or the network is down).').waitFor();
      assert.doesNotMatch(await page.getByTestId('toast-text').innerText(), /Failed to fetch/);
    } finally { await page.unroute('**/api/review/**', refuse); }
    assert.equal(await currentCardId(page), id, 'the photo stays on screen');
    assert.equal((await lib.item(id)).location, 'review');

    // A proxy in front of triage answers with its own page, not triage's JSON: its status is named.
    const gateway = posts((route) => route.fulfill({ status: 502, contentType: 'text/html',
      body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }));
    await page.route('**/api/review/**', gateway);
    try {
      // The failed keep draws the card anew; a key pressed while no card is shown is rightly not applied to the one
      // drawn next (review_keys.js), so the key waits for the card (under load the redraw took long enough to race).
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]')
        && document.querySelector('[data-testid="review-card"]'));
      await page.keyboard.press('d');
      await page.getByTestId('toast-text').filter({ hasText: new RegExp(`^Could not move ${name.replace('.', '\\.')} ` +
        'to the trash: the server answered 502\\b') }).waitFor();
    } finally { await page.unroute('**/api/review/**', gateway); }
    assert.equal((await lib.item(id)).location, 'review');

    await page.getByTestId('grid-mode').click();
    await page.getByTestId('tile').first().locator('input[type="checkbox"]').check();
    await page.route('**/api/review/bulk', refuse);
    try {
      await page.getByTestId('bulk-keep').click();
      await toastStarting(page, 'Could not keep 1 photo without a person: no answer from the server').waitFor();
    } finally {
      await page.unroute('**/api/review/bulk', refuse);
      await page.getByRole('button', { name: 'One by one' }).click();
    }
  });

test('the grid opened while a decision is on its way holds its buttons until that decision is done', async () => {
  await page.goto('/#/review/unidentified');
  const id = await currentCardId(page);
  const name = (await lib.item(id)).file_name;
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const slowRefusal = async (route) => {
    if (route.request().method() !== 'POST') { await route.fallback(); return; }
    await held;
    await route.abort('connectionrefused');
  };
  await page.route('**/api/review/*/keep', slowRefusal);
  try {
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press('k');
    await page.locator('[aria-busy="true"]').waitFor();
    await page.getByTestId('grid-mode').click();
    const keep = page.getByTestId('bulk-keep');
    await keep.waitFor();
    // A click now would find the page busy and do nothing: the button says so by being disabled.
    assert.equal(await keep.isDisabled(), true, 'the grid\'s buttons are held while the keep is on its way');
    release();
    await toastStarting(page, `Could not keep ${name}: no answer from the server`).waitFor();
  } finally { await page.unroute('**/api/review/*/keep', slowRefusal); }
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  assert.equal(await page.getByTestId('bulk-keep').isDisabled(), false, 'released once the decision is done');
  assert.equal((await lib.item(id)).location, 'review');
  await page.getByRole('button', { name: 'One by one' }).click();
});

test('phone: the current page\'s link is scrolled into the navigation row', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    for (const [hash, name] of [['#/settings', 'settings'], ['#/audit', 'audit'], ['#/trash', 'trash'], ['#/stats', 'stats'],
      ['#/review', 'review']]) {
      await page.evaluate((h) => { location.hash = h; }, hash);
      await page.waitForFunction((n) => document.querySelector(`#nav a[data-page="${n}"]`).classList.contains('active'), name);
      const { a, n } = await page.evaluate((which) => {
        const box = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right }; };
        return { a: box(document.querySelector(`#nav a[data-page="${which}"]`)), n: box(document.getElementById('nav')) };
      }, name);
      assert.ok(a.left >= n.left - 0.5 && a.right <= n.right + 0.5, `${name}: link ${JSON.stringify(a)} in nav ${JSON.stringify(n)}`);
    }
    await page.evaluate(() => { location.hash = '#/audit'; });
    await screenshot(page, 'nav-phone-audit');
  } finally { await page.setViewportSize({ width: 1440, height: 900 }); }
});

test('phone: the duplicate view\'s captions sit under the photos, and a date breaks only between date and time', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await page.goto('/#/review/duplicates');
    await page.getByTestId('side-by-side').waitFor();
    const shown = {};
    for (const testid of ['new-image', 'existing-image']) {
      const pane = page.getByTestId(testid);
      const [img, label] = await Promise.all([pane.locator('img').boundingBox(), pane.locator('.pane-label').boundingBox()]);
      assert.ok(label.y >= img.y + img.height - 0.5, `${testid}: the caption (${JSON.stringify(label)}) is over the photo (${JSON.stringify(img)})`);
      assert.ok(img.height >= 100, `${testid}: the photo keeps ${img.height} px`);
      shown[testid] = await pane.locator('img').evaluate((el) => {
        // The picture's own size inside its box (object-fit: contain): what the eye compares.
        const r = el.getBoundingClientRect(); const k = Math.min(r.width / el.naturalWidth, r.height / el.naturalHeight);
        const text = document.createRange();
        text.selectNodeContents(el.nextElementSibling);
        return { w: el.naturalWidth * k, h: el.naturalHeight * k, text: text.getBoundingClientRect().height };
      });
    }
    // The right caption wraps to more lines than the left on a phone; the two copies (640 x 800 each) still show at
    // one size.
    assert.ok(shown['existing-image'].text > shown['new-image'].text + 10, `captions ${JSON.stringify(shown)}`);
    assert.ok(Math.abs(shown['new-image'].h - shown['existing-image'].h) <= 1, `same size: ${JSON.stringify(shown)}`);
    const dates = page.locator('tr[data-attribute="Date taken"] td .nowrap');
    assert.equal(await dates.count(), 4);
    for (const span of await dates.all()) {
      const lines = await span.evaluate((el) => el.getClientRects().length);
      assert.equal(lines, 1, `"${await span.innerText()}" is on one line`);
    }
    assert.deepEqual(await page.locator('tr[data-attribute="Date taken"] td').first().locator('.nowrap').allInnerTexts(),
      ['2024-05-06', '12:53:07']);
    await screenshot(page, 'duplicate-phone');
  } finally { await page.setViewportSize({ width: 1440, height: 900 }); }
});

test('review card: the date taken reads like the other dates, and a photo from a folder was added, not downloaded', async () => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/#/review/unidentified');
  const meta = page.locator('dl.meta').first();
  await meta.waitFor();
  // Step through the queue to obama.jpg, whose capture time is set: one skip at a time, each awaited until the next
  // card shows (a key pressed while a decision is under way is not taken).
  for (let i = 0; i < 6; i++) {
    const before = await meta.innerText();
    if (before.includes('obama.jpg')) break;
    await page.keyboard.press('s');
    await page.waitForFunction((b) => document.querySelector('dl.meta')?.innerText !== b, before, { timeout: 15000 });
  }
  const text = await meta.innerText();
  assert.match(text, /obama\.jpg/);
  const want = await page.evaluate(() => new Date('2024-05-06T12:53:07').toLocaleString());
  assert.ok(text.includes(want), `${text} should show ${want}`);
  assert.ok(!text.includes('2024-05-06T12:53:07'), text);
  assert.match(text, /Added/);
  assert.doesNotMatch(text, /Downloaded/);
});

test('settings: "Re-sort what waits in review" re-files the queue under the saved settings and says what moved', async () => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/#/settings');
  await page.getByTestId('apply-policy').click();
  const text = page.getByTestId('toast-text').filter({ hasText: 'Re-sorted the review queue' });
  await text.waitFor();
  // Nothing here has a face of an enrolled person: every photo in review stays, and the toast counts them.
  const waiting = (await lib.api('/api/review/queue?per_page=1')).total;
  assert.ok(waiting > 0);
  const said = (await text.innerText()).match(/^Re-sorted the review queue: all (\d+) photos stay where they are\.$/);
  assert.ok(said, await text.innerText());
  assert.ok(Number(said[1]) > 0 && Number(said[1]) <= waiting, `${said[1]} of ${waiting}`);
  await screenshot(page, 'settings-resort');
});

test('settings: a refused threshold is named by its field\'s label, not by its configuration key', async () => {
  await page.goto('/#/settings');
  const field = page.getByTestId('threshold-min_confidence');
  await field.fill('5');
  await page.getByTestId('preview-thresholds').click();
  const said = page.getByTestId('toast-text').filter({ hasText: 'must be' });
  await said.waitFor();
  const text = await said.innerText();
  assert.match(text, /"Minimum confidence to sort automatically": must be a number from 0 to 1/);
  assert.doesNotMatch(text, /thresholds\.|min_confidence/);
  // Put right, the preview comes and the refusal, no longer true, goes with it.
  await field.fill('0.5');
  await page.getByTestId('preview-thresholds').click();
  await page.getByTestId('confirm-thresholds').waitFor();
  await said.waitFor({ state: 'hidden' });
  page.once('dialog', (d) => d.accept());   // "Settings not saved: ...": leave anyway
  await page.goto('/#/review');   // leaves the unsaved field behind
  await page.waitForFunction(() => document.querySelector('.view')?.dataset.page === 'review');
});

test('settings: Cancel under a preview puts the saved thresholds back, and leaving then asks nothing', async () => {
  await page.goto('/#/settings');
  const field = page.getByTestId('threshold-min_confidence');
  const saved = await field.inputValue();
  await field.fill(String(Number(saved) === 0.3 ? 0.35 : 0.3));
  await page.getByTestId('preview-thresholds').click();
  await page.getByTestId('confirm-thresholds').waitFor();
  await page.getByTestId('cancel-thresholds').click();
  assert.equal(await field.inputValue(), saved, 'the field shows the saved value again');
  assert.equal(await page.getByTestId('confirm-thresholds').count(), 0);
  let asked = '';
  const ask = (d) => { asked = d.message(); d.dismiss().catch(() => {}); };   // none should come
  page.on('dialog', ask);
  try {
    await page.locator('#nav a[data-page="review"]').click();
    await page.waitForFunction(() => document.querySelector('.view')?.dataset.page === 'review');
  } finally { page.off('dialog', ask); }
  assert.equal(asked, '', 'nothing is unsaved after Cancel');
  assert.equal(String((await lib.api('/api/config')).thresholds.min_confidence), saved);
});

test('settings: a preview says which of its moves the saved settings would make too', async () => {
  await page.goto('/#/settings');
  // The server's report, fixed here (its counts are checked by the API tests): 2 photos sorted before a list changed.
  let underSaved = 2;
  const report = (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({
    total: 30, changed: 2, changed_under_saved: underSaved, damaged: 0, seconds: 0.01,
    moves: [{ from: 'faces/leonard', to: 'review/unidentified', count: 2, sample_ids: [9, 10] }] }) });
  await page.route('**/api/config/thresholds/simulate', report);
  try {
    await page.getByTestId('preview-thresholds').click();   // the thresholds as saved
    await page.getByTestId('preview-due').filter({ hasText: 'These thresholds are the saved ones: the moves come from ' +
      'the saved settings, as photos were sorted before the whitelist, the blacklist or the thresholds last changed.' })
      .waitFor();
    const field = page.getByTestId('threshold-min_confidence');
    const saved = await field.inputValue();
    await field.fill(String(Number(saved) === 0.9 ? 0.8 : 0.9));
    await page.getByTestId('preview-thresholds').click();
    await page.getByTestId('preview-due').filter({ hasText: /^2 items would go elsewhere under the saved settings too/ })
      .waitFor();
    underSaved = 0;
    await field.fill(saved);
    await page.getByTestId('preview-thresholds').click();
    await page.getByTestId('confirm-thresholds').waitFor();
    assert.equal(await page.getByTestId('preview-due').count(), 0, 'nothing to say when the saved settings move none');
  } finally { await page.unroute('**/api/config/thresholds/simulate', report); }
});

test('settings: leaving with edits not saved asks first; staying keeps them, leaving drops them', async () => {
  await page.goto('/#/settings');
  const field = page.getByTestId('threshold-min_confidence');
  const saved = await field.inputValue();
  await field.fill('0.77');
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  await page.locator('#nav a[data-page="review"]').click();
  await page.waitForFunction(() => location.hash === '#/settings');
  assert.match(asked, /^Settings not saved: Minimum confidence to sort automatically \(0–1\)\. Leave this page/);
  assert.equal(await field.inputValue(), '0.77', 'staying keeps the edit');
  assert.equal(await page.evaluate(() => document.querySelector('.view').dataset.page), 'settings');
  // Closing or reloading the tab has the browser ask too.
  const unloadAsks = () => page.evaluate(() => {
    const e = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(e);
    return e.defaultPrevented;
  });
  assert.equal(await unloadAsks(), true);
  page.once('dialog', (d) => d.accept());
  await page.locator('#nav a[data-page="review"]').click();
  await page.waitForFunction(() => document.querySelector('.view')?.dataset.page === 'review');
  assert.equal(await unloadAsks(), false, 'another page has nothing to lose');
  // Back on Settings, the saved value; with nothing edited, leaving asks nothing.
  await page.goto('/#/settings');
  await field.waitFor();
  assert.equal(await field.inputValue(), saved);
  page.once('dialog', (d) => { asked = `unexpected: ${d.message()}`; d.dismiss(); });
  asked = '';
  await page.locator('#nav a[data-page="gallery"]').click();
  await page.waitForFunction(() => document.querySelector('.view')?.dataset.page === 'gallery');
  assert.equal(asked, '');
  page.removeAllListeners('dialog');
});

test('settings: leaving right after a save, before the page is drawn anew, asks nothing: what was saved is saved',
  async () => {
    await page.goto('/#/settings');
    const field = page.getByTestId('threshold-min_confidence');
    await field.waitFor();
    const saved = await field.inputValue();
    let asked = '';
    const answer = (d) => { asked = d.message(); d.dismiss(); };
    page.on('dialog', answer);
    // After a save the page is drawn anew from GET /api/config: held back here, as on a slow link, so that the user
    // leaves while it is on its way.
    let hold = false;
    const held = new Set();   // requests still held back, let go before the route is removed
    const slow = async (route) => {
      if (!hold || route.request().method() !== 'GET') return route.continue();
      const going = new Promise((r) => setTimeout(r, 1500)).then(() => route.continue()).catch(() => {});
      held.add(going);
      await going;
      held.delete(going);
    };
    await page.route('**/api/config', slow);
    const leave = async () => {
      await page.locator('#nav a[data-page="audit"]').click();
      await page.waitForFunction(() => document.querySelector('.view')?.dataset.page === 'audit');
      assert.equal(asked, '', 'nothing is asked: what was typed is saved');
      hold = false;
      await page.goto('/#/settings');
    };
    try {
      for (const value of [saved === '0.9' ? '0.8' : '0.9', saved]) {
        await field.fill(value);
        await page.getByTestId('preview-thresholds').click();
        hold = true;
        await page.getByTestId('confirm-thresholds').click();
        await page.getByTestId('toast-text').filter({ hasText: 'Saved the thresholds.' }).waitFor();
        await leave();
        await field.waitFor();
        assert.equal(await field.inputValue(), value);
        assert.equal(String((await lib.api('/api/config')).thresholds.min_confidence), value);
      }
      // A list saved with a name nobody is enrolled as ("Save anyway"), then emptied again.
      for (const names of ['zed', '']) {
        await page.getByTestId('whitelist-input').fill(names);
        hold = true;
        await page.getByTestId('save-whitelist').click();
        if (names) await page.getByTestId('save-anyway').click();
        // This save's own toast (the one before stays on screen with its Undo).
        await page.getByTestId('toast-text').filter({ hasText: names ? 'Saved the whitelist (1 name)'
          : 'Saved the whitelist, now empty: photos of every enrolled person are sorted, but for those on the blacklist.' })
          .waitFor();
        await leave();
        await page.getByTestId('whitelist-input').waitFor();
        assert.equal(await page.getByTestId('whitelist-input').inputValue(), names);
      }
    } finally {
      hold = false;
      await Promise.all([...held]);
      await page.unroute('**/api/config', slow);
      page.off('dialog', answer);
    }
  });

// The element with the keyboard focus, by the words a test finds it by.
const focusedTestId = () => page.evaluate(() => document.activeElement?.dataset?.testid || document.activeElement?.tagName);
const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') || document.activeElement?.tagName);

test('keyboard: a page drawn anew after an action keeps the focus on the control used, not at the top of the document',
  async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    // Enrolled persons: Enter in the name field enrols, and the field is ready for the next name.
    await page.goto('/#/people/enrolled');
    await page.getByLabel('New person name').fill('ada');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="person"][data-name="ada"]').waitFor();
    assert.equal(await focusedLabel(), 'New person name');
    // Space on a list's switch: the card is drawn anew with the switch on, and the focus is still on it.
    await page.getByTestId('whitelist-ada').focus();
    await page.keyboard.press('Space');
    // The toast says what a whitelist does: nobody else is sorted automatically any more.
    await page.getByTestId('toast-text').filter({ hasText: 'ada added to the whitelist: only ada is sorted ' +
      'automatically now; photos of anybody else go to review.' }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="whitelist-ada"]')?.checked);
    assert.equal(await focusedTestId(), 'whitelist-ada');
    // The toast's Undo (reached with the keys) takes it back, and the focus comes back to the page where it was.
    await page.getByTestId('toast-action').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="whitelist-ada"]')?.checked === false);
    assert.equal(await focusedTestId(), 'whitelist-ada');

    // Settings: Enter on "Pause auto-sorting" leaves the focus on the same button, now "Resume auto-sorting".
    await page.goto('/#/settings');
    await page.getByTestId('toggle-auto-sort').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Resume auto-sorting' }).waitFor();
    assert.equal(await focusedTestId(), 'toggle-auto-sort');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Pause auto-sorting' }).waitFor();
    assert.equal(await focusedTestId(), 'toggle-auto-sort');

    // Audit log: Enter in the actor field filters, and the field keeps the focus to refine the filter.
    await page.goto('/#/audit');
    await page.getByLabel('Actor').fill('nobody-such');
    await page.keyboard.press('Enter');
    await page.getByText('Nothing matches.').waitFor();
    assert.equal(await focusedLabel(), 'Actor');
    assert.equal(await page.getByTestId('audit-pager').count(), 0, 'no pager for nothing found');

    // Proposals: a filter chosen with the keys keeps the focus on its list, to choose again.
    await page.goto('/#/proposals');
    const status = page.locator('select[name="status"]');
    await status.focus();
    await status.selectOption('denied');
    await page.getByText('No proposals match these filters').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'status');
    await screenshot(page, 'proposals-filtered');
  });

test('settings: thresholds typed but not yet saved stay when auto-sorting is paused or a list is saved', async () => {
  await page.goto('/#/settings');
  const field = page.getByTestId('threshold-min_confidence');
  await field.waitFor();
  const saved = await field.inputValue();
  await field.fill('0.75');
  await page.getByTestId('toggle-auto-sort').click();
  await page.getByRole('button', { name: 'Resume auto-sorting' }).waitFor();
  assert.equal(await page.getByTestId('threshold-min_confidence').inputValue(), '0.75');
  await page.getByTestId('blacklist-input').fill('');
  await page.getByTestId('save-blacklist').click();
  await page.getByTestId('toast-text').filter({ hasText: 'Saved the blacklist' }).waitFor();
  assert.equal(await page.getByTestId('threshold-min_confidence').inputValue(), '0.75');
  // Nothing of it was saved behind the user's back; once saved, the field shows the saved value.
  assert.equal(String((await lib.api('/api/config')).thresholds.min_confidence), saved);
  await page.getByTestId('preview-thresholds').click();
  await page.getByTestId('confirm-thresholds').click();
  await page.getByTestId('toast-text').filter({ hasText: 'Saved the thresholds.' }).waitFor();
  assert.equal((await lib.api('/api/config')).thresholds.min_confidence, 0.75);
  assert.equal(await page.getByTestId('threshold-min_confidence').inputValue(), '0.75');
  await page.getByTestId('toggle-auto-sort').click();
  await page.getByRole('button', { name: 'Pause auto-sorting' }).waitFor();
});

test('trash: Ctrl-Z takes back the restores one by one, newest first, also after a look at another page',
  async () => {
    const own = await openLibrary({
      photos: [['skimage_coffee.jpg', 'coffee.jpg'], ['skimage_astronaut.jpg', 'astronaut.jpg']],
    });
    try {
      const p = own.page;
      await logIn(p);
      const items = (await own.api('/api/items?per_page=50')).items;
      const ids = Object.fromEntries(items.map((i) => [i.file_name, i.id]));
      for (const id of Object.values(ids)) own.run(['review', 'reject', String(id)]);
      const where = async (name) => (await own.api(`/api/items/${ids[name]}`)).item.location;
      await p.goto('/#/trash');
      for (const name of ['coffee.jpg', 'astronaut.jpg']) {
        await p.getByRole('button', { name: `Restore ${name}` }).click();
        await p.getByTestId('toast-text').filter({ hasText: `Restored ${name}` }).waitFor();
        await p.getByRole('button', { name: `Restore ${name}` }).waitFor({ state: 'detached' });
      }
      assert.deepEqual([await where('coffee.jpg'), await where('astronaut.jpg')], ['review', 'review']);
      // After a look at another page, three Ctrl-Z on the trash: each restore taken back, newest first, then nothing.
      await p.goto('/#/audit');
      await p.goto('/#/trash');
      await p.getByRole('button', { name: 'Restore coffee.jpg' }).waitFor({ state: 'detached' });
      await p.evaluate(() => document.activeElement?.blur());
      await p.keyboard.press('Control+z');
      await p.getByTestId('toast-text').filter({ hasText: /^Undone: .*astronaut\.jpg.*1 more can be taken back/ }).waitFor();
      assert.equal(await where('astronaut.jpg'), 'trash');
      assert.equal(await where('coffee.jpg'), 'review', 'one press, one decision');
      // The trash shows what the undo did.
      await p.getByRole('button', { name: 'Restore astronaut.jpg' }).waitFor();
      await p.keyboard.press('Control+z');
      await p.getByTestId('toast-text').filter({ hasText: /^Undone: .*coffee\.jpg/ }).waitFor();
      assert.equal(await where('coffee.jpg'), 'trash');
      await p.getByRole('button', { name: 'Restore coffee.jpg' }).waitFor();
      await p.keyboard.press('Control+z');
      await p.getByTestId('toast-text').filter({ hasText: /^Nothing to undo/ }).waitFor();
    } finally { await closeLibrary(own); }
  });

test('persons: a whitelist or blacklist switch whose change fails goes back to what is saved, and says which person',
  async () => {
    await page.goto('/#/persons');
    if (!await page.locator('[data-testid="person"][data-name="ada"]').count()) {
      await page.getByLabel('New person name').fill('ada');
      await page.getByRole('button', { name: 'Add person' }).click();
    }
    const whitelist = page.getByTestId('whitelist-ada');
    await whitelist.waitFor();
    const saved = (await lib.api('/api/config')).whitelist.includes('ada');
    assert.equal(await whitelist.isChecked(), saved);
    const refuse = (route) => (route.request().method() === 'PUT' ? route.abort('connectionrefused') : route.fallback());
    await page.route('**/api/config/*', refuse);
    try {
      await whitelist.click();
      await page.getByTestId('toast-text').filter({ hasText: new RegExp(`^Could not ${saved ? 'take ada off' : 'add ada to'} ` +
        'the whitelist: no answer from the server') }).waitFor();
    } finally { await page.unroute('**/api/config/*', refuse); }
    assert.equal(await whitelist.isChecked(), saved, 'the switch shows what is saved, not the change that failed');
    assert.equal((await lib.api('/api/config')).whitelist.includes('ada'), saved);
  });

// Deletes the first photo waiting in review/unidentified with the d key and opens the trash; {id, name} of it.
async function trashFirstPhoto() {
  await page.goto('/#/review/unidentified');
  const id = await currentCardId(page);
  const name = (await lib.item(id)).file_name;
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('d');
  await toastStarting(page, `Moved ${name} to the trash.`).waitFor();
  await page.evaluate(() => { location.hash = '#/trash'; });
  return { id, name };
}

test('trash: a restore or a delete for good that fails names the photo, and the photo stays in the trash', async () => {
  const { id, name } = await trashFirstPhoto();
  const restore = page.getByRole('button', { name: `Restore ${name}` });
  const refuse = (route) => (route.request().method() === 'POST' ? route.abort('connectionrefused') : route.fallback());
  await page.route('**/api/trash/**', refuse);
  try {
    await restore.click();
    await toastStarting(page, `Could not restore ${name}: no answer from the server`).waitFor();
    await page.getByRole('button', { name: `Delete now: ${name}` }).click();
    await page.getByTestId('confirm-yes').click();
    await toastStarting(page, `Could not delete ${name} for good: no answer from the server`).waitFor();
  } finally { await page.unroute('**/api/trash/**', refuse); }
  assert.equal((await lib.item(id)).location, 'trash');
  await restore.click();
  await toastStarting(page, `Restored ${name} to review/unidentified.`).waitFor();
});

test('a question left open when the page changes is answered no: Back from the trash leaves the photo there', async () => {
  const { id, name } = await trashFirstPhoto();
  await page.getByRole('button', { name: `Delete now: ${name}` }).click();
  await page.getByTestId('confirm-dialog').waitFor();
  await page.goBack();
  await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
  assert.equal((await lib.item(id)).location, 'trash', 'nothing was deleted');
  await page.evaluate(() => { location.hash = '#/trash'; });
  await page.getByRole('button', { name: `Restore ${name}` }).click();
  await toastStarting(page, `Restored ${name}`).waitFor();
});

test('review: an approve that fails keeps the new name typed for the photo, and says which photo and name', async () => {
  await page.goto('/#/review/unidentified');
  const id = await currentCardId(page);
  const name = (await lib.item(id)).file_name;
  const locked = (route) => route.fulfill({ status: 500, contentType: 'application/json',
    body: JSON.stringify({ error: 'internal', message: 'database is locked' }) });
  await page.route('**/api/review/*/approve', locked);
  try {
    await page.getByTestId('person-new').fill('Margarethe Musterfrau');
    // The card drawn before the failure is marked: the test waits for the one drawn after it.
    await page.evaluate(() => { document.querySelector('[data-testid="review-card"]').dataset.before = 'yes'; });
    await page.getByRole('button', { name: /Approve & sort/ }).click();
    await toastStarting(page, `Could not sort ${name} as Margarethe Musterfrau: database is locked.`).waitFor();
    await page.waitForFunction(() => {
      const card = document.querySelector('[data-testid="review-card"]');
      return card && !card.dataset.before && card.querySelector('[data-testid="person-new"]');
    });
  } finally { await page.unroute('**/api/review/*/approve', locked); }
  assert.equal(await currentCardId(page), id);
  assert.equal(await page.getByTestId('person-new').inputValue(), 'Margarethe Musterfrau', 'the typed name stays');
  assert.equal((await lib.item(id)).location, 'review');
  await page.getByTestId('person-new').fill('');
});

test('settings: a list, the thresholds or the auto-sorting switch that cannot be saved says which, and keeps what was typed',
  async () => {
    await page.goto('/#/settings');
    await page.getByTestId('whitelist-input').waitFor();
    const before = await lib.api('/api/config');
    const refuse = (route) => (route.request().method() !== 'GET' ? route.abort('connectionrefused') : route.fallback());
    await page.route('**/api/**', refuse);
    try {
      await page.getByTestId('blacklist-input').fill('nobody_saved');
      await page.getByTestId('save-blacklist').click();
      await page.getByTestId('save-anyway').click();   // nobody_saved is enrolled nowhere
      await toastStarting(page, 'Could not save the blacklist: no answer from the server').waitFor();
      assert.equal(await page.getByTestId('blacklist-input').inputValue(), 'nobody_saved');
      await page.getByTestId('threshold-min_confidence').fill('0.66');
      await page.getByTestId('preview-thresholds').click();
      await toastStarting(page, 'Could not preview the thresholds: no answer from the server').waitFor();
      assert.equal(await page.getByTestId('threshold-min_confidence').inputValue(), '0.66');
      const pause = await page.getByTestId('toggle-auto-sort').innerText();
      await page.getByTestId('toggle-auto-sort').click();
      await toastStarting(page, `Could not ${/Pause/.test(pause) ? 'pause' : 'resume'} auto-sorting: no answer from the ` +
        'server').waitFor();
    } finally { await page.unroute('**/api/**', refuse); }
    const after = await lib.api('/api/config');
    assert.deepEqual(after.blacklist, before.blacklist);
    assert.equal(after.thresholds.min_confidence, before.thresholds.min_confidence);
    // A value the server refuses is still said in the field's words.
    await page.getByTestId('threshold-min_confidence').fill('5');
    await page.getByTestId('preview-thresholds').click();
    await page.getByTestId('toast-text').filter({ hasText: /^"Minimum confidence to sort automatically": must be/ })
      .waitFor();
    await page.getByTestId('blacklist-input').fill(before.blacklist.join('\n'));
    await page.getByTestId('threshold-min_confidence').fill(String(before.thresholds.min_confidence));
  });

test('toasts: with one on screen, the end of a long page scrolls clear of it (1440 px wide, a short window)', async () => {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1440, height: 480 });
  try {
    await page.goto('/#/settings');
    const whitelist = page.getByTestId('whitelist-input');
    await whitelist.waitFor();
    const before = await whitelist.inputValue();
    await page.getByTestId('save-whitelist').click();   // saved as it stands: a toast with its Undo, 12 s
    await toastStarting(page, 'Saved the whitelist').waitFor();
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const toastTop = await page.locator('#toast').evaluate((el) => el.getBoundingClientRect().top);
    const lastCard = page.locator('#app .card').last();
    const cardBottom = await lastCard.evaluate((el) => el.getBoundingClientRect().bottom);
    assert.ok(cardBottom <= toastTop, `the last card ends at ${cardBottom} px, under the toast that starts at ${toastTop}`);
    await screenshot(page, 'toast-clear-of-page-end');
    assert.equal(await whitelist.inputValue(), before);
  } finally { await page.setViewportSize(size); }
});
