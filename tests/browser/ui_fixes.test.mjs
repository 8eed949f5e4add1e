// Defects a new user found on a first look, each checked in headless Chromium against a real `triage serve`: the
// phone's navigation, the proposals queue on a phone, the duplicate card's one set of actions, raw measures said with
// what they are, person covers never blown up past their pixels, gallery tiles naming each mark once, and the voting
// page remembering a flag across a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, screenshot, triage, toastStarting } from './harness.mjs';

let lib; let page;
const ids = {};   // file name -> item id
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };

// Before the server starts: obama, coffee and astronaut filed under ada, the small obama under grace; coffee is ada's
// cover and the small photo grace's; biden is proposed for obama's place; obama is public on the voting page. The
// byte copy of obama waits in review/duplicates, biden in review/unidentified.
function prepare(library) {
  const run = (...args) => execFileSync(triage, ['--library', library, ...args], { encoding: 'utf8' });
  const byName = {};
  for (const item of JSON.parse(run('review', 'list', '--json'))) byName[path.basename(item.path)] = item.id;
  for (const [name, person] of [['a_obama.jpg', 'ada'], ['c_coffee.jpg', 'ada'], ['d_astronaut.jpg', 'ada'],
    ['f_small.jpg', 'grace']]) run('review', 'approve', String(byName[name]), '--person', person);
  run('proposals', 'add', String(byName['a_obama.jpg']), String(byName['b_biden.jpg']));
  run('public', String(byName['a_obama.jpg']));
  execFileSync('sqlite3', [path.join(library, '.triage/catalog.db')], { input: `
INSERT INTO person_covers (person, item_id, set_at, set_by) VALUES ('ada', ${byName['c_coffee.jpg']}, 0, 'test'),
  ('grace', ${byName['f_small.jpg']}, 0, 'test');` });
}

before(async () => {
  lib = await openLibrary({
    photos: [['obama.jpg', 'a_obama.jpg'], ['biden.jpg', 'b_biden.jpg'], ['skimage_coffee.jpg', 'c_coffee.jpg'],
      ['skimage_astronaut.jpg', 'd_astronaut.jpg'], ['obama.jpg', 'e_obama_copy.jpg'],
      ['../demo/obama3_small.jpg', 'f_small.jpg']],
    prepare,
  });
  page = lib.page;
  await logIn(page);
  // Coffee and astronaut a burst of two (coffee leads), written after the server's first gallery request (which
  // groups the library afresh).
  await lib.api('/api/gallery?limit=1');
  execFileSync('sqlite3', [path.join(lib.library, '.triage/catalog.db')], { input: `
INSERT OR REPLACE INTO item_groups (item_id, kind, group_id, is_lead, rank_score, why)
  SELECT id, 'burst', 900, original_name = 'c_coffee.jpg', 1, 'sharper' FROM items
  WHERE original_name IN ('c_coffee.jpg', 'd_astronaut.jpg');` });
  for (const item of (await lib.api('/api/items?per_page=200')).items) ids[item.file_name] = item.id;
});

after(async () => { await closeLibrary(lib); });

const go = (hash) => page.evaluate((h) => { location.hash = h; }, hash);

test('phone: every page of the navigation is on screen at 390 px, none behind the edge; one row on a desktop', async () => {
  await page.setViewportSize(PHONE);
  try {
    await go('#/review');
    await page.getByTestId('review-card').waitFor();
    const links = await page.evaluate(() => [...document.querySelectorAll('#nav a')].map((a) => {
      const r = a.getBoundingClientRect();
      const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return { page: a.dataset.page, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
        hit: !!hit && a.contains(hit) };
    }));
    assert.equal(links.length, 8);
    for (const l of links) {
      assert.ok(l.left >= 0 && l.right <= 390 && l.top >= 0 && l.bottom <= 844, `${l.page} off screen: ${JSON.stringify(l)}`);
      assert.ok(l.hit, `${l.page} is covered or clipped`);
    }
    assert.ok(await page.evaluate(() => document.getElementById('nav').scrollWidth <= document.getElementById('nav').clientWidth),
      'the navigation scrolls sideways');
    await screenshot(page, 'ui-fixes-nav');
  } finally { await page.setViewportSize(DESKTOP); }
  const tops = await page.locator('#nav a').evaluateAll((as) => as.map((a) => Math.round(a.getBoundingClientRect().top)));
  assert.equal(new Set(tops).size, 1, `the desktop navigation is one row: ${tops}`);
});

// Elements of the page (or the page itself) that scroll sideways: what a phone hides past its edge.
const sidewaysScrollers = () => page.evaluate(() => {
  const out = [];
  if (document.documentElement.scrollWidth > window.innerWidth) out.push(`page ${document.documentElement.scrollWidth}`);
  for (const el of document.querySelectorAll('main *')) {
    const x = getComputedStyle(el).overflowX;
    if ((x === 'auto' || x === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
      out.push(`${el.tagName.toLowerCase()}.${el.className} ${el.scrollWidth} > ${el.clientWidth}`);
    }
  }
  return out;
});

test('phone: each proposal is a card of labelled values, and nothing on the page scrolls sideways', async () => {
  await page.setViewportSize(PHONE);
  try {
    await go('#/proposals');
    const row = page.getByTestId('proposal-row').first();
    await row.waitFor();
    assert.deepEqual(await sidewaysScrollers(), []);
    const text = await row.innerText();
    for (const label of ['Reason', 'Status', 'Person', 'Score', 'Proposed']) {
      assert.match(text, new RegExp(`${label}\\s*:?\\s*\\S`), `the card says ${label}: ${text}`);
    }
    const box = await row.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `the card is within the screen: ${JSON.stringify(box)}`);
    await screenshot(page, 'ui-fixes-proposals');
  } finally { await page.setViewportSize(DESKTOP); }
  // A desktop keeps the table with its header row.
  await page.getByRole('columnheader', { name: 'status' }).waitFor();
  assert.equal(await page.locator('.proposal-queue .cell-label').first().isVisible(), false);
});

test('raw measures are said with what they are: the card, the duplicate view and the score panel', async () => {
  await go(`#/review/unidentified?item=${ids['b_biden.jpg']}&at=1`);
  const card = page.getByTestId('review-card');
  await card.waitFor();
  const sharp = card.getByTestId('meta-sharpness');
  assert.match(await sharp.innerText(), /^\d+(\.\d)? of 10\b/);
  assert.match(await sharp.getAttribute('title'), /variance of the Laplacian/);

  await go('#/review/duplicates');
  const row = page.locator('[data-testid="compare-table"] tr[data-attribute="Sharpness"]');
  await row.waitFor();
  assert.match(await row.locator('th').getAttribute('title'), /variance of the Laplacian/);
  for (const text of await row.locator('td').allInnerTexts()) assert.match(text, /^\d+(\.\d)? of 10\b/);

  await go('#/gallery');
  await page.locator(`[data-testid="tile"][data-id="${ids['a_obama.jpg']}"]`).click();
  const why = page.getByTestId('why');
  await why.waitFor();
  const raw = why.locator('tr[data-dimension="sharpness"] td.raw');
  assert.match(await raw.getAttribute('title'), /variance of the Laplacian/);
  const mp = why.locator('tr[data-dimension="resolution"] td.raw');
  assert.match(await mp.innerText(), /^\d+\.\d+ MP$/);
  assert.match(await why.locator('th.raw').getAttribute('title'), /measure.*own unit/);
  await page.keyboard.press('Escape');
  await page.getByTestId('loupe').waitFor({ state: 'detached' });
});

test('a person\'s cover is never shown larger than its pixels', async () => {
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size);
    await go('#/persons');
    const covers = page.getByTestId('person-cover');
    await covers.first().waitFor();
    assert.equal(await covers.count(), 2);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="person-cover"]')]
      .every((img) => img.complete && img.naturalWidth > 0));
    const shown = await covers.evaluateAll((imgs) => imgs.map((img) => {
      const r = img.getBoundingClientRect();
      // object-fit: cover scales the picture by the larger of the two ratios.
      const scale = Math.max(r.width / img.naturalWidth, r.height / img.naturalHeight);
      return { src: img.currentSrc, box: [r.width, r.height], natural: [img.naturalWidth, img.naturalHeight],
        device: scale * window.devicePixelRatio };
    }));
    for (const s of shown) assert.ok(s.device <= 1.01, `blown up ${s.device.toFixed(2)}×: ${JSON.stringify(s)}`);
    await screenshot(page, 'ui-fixes-covers');
  }
  await page.setViewportSize(DESKTOP);
});

test('a gallery tile names each mark it shows once', async () => {
  await go('#/gallery?sort=date');
  await page.getByTestId('tile').first().waitFor();
  for (const name of ['c_coffee.jpg', 'd_astronaut.jpg', 'e_obama_copy.jpg', 'a_obama.jpg']) {
    const tile = page.locator(`[data-testid="tile"][data-id="${ids[name]}"]`);
    const label = await tile.getAttribute('aria-label');
    const marks = await tile.locator('.badge').allInnerTexts();
    assert.ok(marks.length >= 1, name);
    for (const mark of marks) {
      const times = label.split(mark).length - 1;
      assert.equal(times, 1, `${name}: "${mark}" is named ${times} times in "${label}"`);
    }
    // What the marks mean is the tile's description, said once.
    const described = await tile.evaluate((el) => (el.getAttribute('aria-describedby') || '').split(' ')
      .map((id) => document.getElementById(id)?.textContent || '').join(' '));
    assert.match(described, /score \d+\.\d of 10/, name);
  }
  const coffee = page.locator(`[data-testid="tile"][data-id="${ids['c_coffee.jpg']}"]`);
  assert.match(await coffee.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby')).textContent),
    /best frame of a burst of 2/);
});

test('a duplicate card offers the duplicate decisions only, with the keys shown; other cards keep theirs', async () => {
  await go(`#/review/unidentified?item=${ids['b_biden.jpg']}&at=1`);
  let card = page.getByTestId('review-card');
  await card.waitFor();
  for (const testid of ['approve', 'keep', 'reject', 'skip']) assert.equal(await card.getByTestId(testid).count(), 1, testid);
  assert.equal(await card.getByTestId('keep-left').count(), 0);

  await go('#/review/duplicates');
  card = page.locator(`[data-testid="review-card"][data-item-id="${ids['e_obama_copy.jpg']}"]`);
  await card.waitFor();
  for (const testid of ['approve', 'keep', 'reject']) assert.equal(await card.getByTestId(testid).count(), 0, testid);
  assert.equal(await card.getByTestId('person-select').count(), 0, 'no person to choose: approving is not offered');
  const actions = card.getByTestId('actions');
  const keys = {};
  for (const which of ['left', 'right', 'both']) {
    const button = actions.getByTestId(`keep-${which}`);
    assert.equal(await button.count(), 1, which);
    keys[which] = await button.locator('kbd').innerText();
  }
  assert.deepEqual(keys, { left: 'l', right: 'r', both: 'b' });
  // The shortcuts list says the same keys.
  await page.keyboard.press('?');
  const sheet = page.locator('dialog.shortcuts');
  await sheet.waitFor();
  assert.match(await sheet.innerText(), /l\s*Duplicate: keep the left/);
  await page.keyboard.press('Escape');
  await sheet.waitFor({ state: 'detached' });
  // A generic key does nothing to a duplicate (no second copy filed, nothing trashed); the key shown does.
  await card.focus();
  await page.keyboard.press('a');
  await page.keyboard.press('d');
  await page.waitForTimeout(300);
  assert.equal((await lib.item(ids['e_obama_copy.jpg'])).location, 'review');
  await page.keyboard.press('r');
  await toastStarting(page, 'Kept the existing copy; e_obama_copy.jpg went to the trash.').waitFor();
  assert.equal((await lib.item(ids['e_obama_copy.jpg'])).location, 'trash');
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastStarting(page, 'Undone').waitFor();
  assert.equal((await lib.item(ids['e_obama_copy.jpg'])).location, 'review');
});

test('the voting page shows the voter\'s own flag and vote after a reload', async () => {
  await lib.context.clearCookies();
  await page.goto('/vote.html');
  const card = page.getByTestId('vote-image');
  await card.waitFor();
  await card.getByTestId('vote-up').click();
  await card.getByTestId('vote-counts').filter({ hasText: '▲ 1' }).waitFor();
  await card.getByTestId('vote-flag-summary').click();
  await card.getByLabel(/^What is wrong/).selectOption('poor_quality');
  await card.getByLabel(/^Details for/).fill('soft at the eyes');
  await card.getByTestId('vote-flag').click();
  await card.getByTestId('vote-flag-summary').filter({ hasText: 'Flagged' }).waitFor();
  await page.reload();
  await card.getByTestId('vote-counts').filter({ hasText: '⚑ 1' }).waitFor();
  assert.equal(await card.getByTestId('vote-up').getAttribute('aria-pressed'), 'true');
  assert.match(await card.getByTestId('vote-flag-summary').innerText(), /^Flagged ✓ \(poor quality/i);
  await card.getByTestId('vote-flag-summary').click();
  assert.equal(await card.getByLabel(/^What is wrong/).inputValue(), 'poor_quality');
  assert.equal(await card.getByLabel(/^Details for/).inputValue(), 'soft at the eyes');
  assert.equal(await card.getByTestId('vote-flag').innerText(), 'Update flag');
  await screenshot(page, 'ui-fixes-vote-flagged');
});
