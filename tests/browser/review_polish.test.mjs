// The review page at screen density and with the 1:1 loupe, bulk "name these faces" in the grid (the named faces
// joining their person's face cluster), and the decision bar on a phone, in headless Chromium against a real
// `triage serve` with face analysis on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, currentCardId, screenshot, eventually } from './harness.mjs';

let lib; let page;
const ids = {};

before(async () => {
  lib = await openLibrary({
    configure: (config) => { config.analysis.faces = true; },
    persons: [['ada', 'obama.jpg']],
    photos: [['biden.jpg', 'joe1.jpg'], ['biden2.jpg', 'joe2.jpg'], ['vladmandic_sample1.jpg', 'group.jpg'],
      ['skimage_coffee.jpg', 'coffee.jpg']],
    // An exact copy of a photo waiting for review: a duplicate shown side by side.
    extra: (inbox) => fs.copyFileSync(path.join(inbox, 'joe1.jpg'), path.join(inbox, 'zz_copy.jpg')),
    // gary is enrolled without reference faces yet: nothing is sorted to him before the reviewer says so.
    prepare: (library) => execFileSync('sqlite3', [path.join(library, '.triage/catalog.db')],
      { input: "INSERT INTO persons (name, created_at) VALUES ('gary', 0);" }),
  });
  page = lib.page;
  await logIn(page);
  for (const item of (await lib.api('/api/items?per_page=200')).items) ids[item.file_name] = item.id;
});

after(async () => { await closeLibrary(lib); });

// Waits for a toast saying `text`; a timeout names what the toast said instead.
async function toastSays(text) {
  try {
    await page.getByTestId('toast-text').filter({ hasText: text }).waitFor({ timeout: 15000 });
  } catch (err) {
    const said = await page.getByTestId('toast-text').allInnerTexts();
    throw new Error(`no toast "${text}"; it said ${JSON.stringify(said)}`, { cause: err });
  }
}
const folder = async (name) => path.dirname((await lib.item(ids[name])).path);
// The person of the cluster each of `items`' faces is listed under in GET /api/clusters ('' unnamed, '-' in none).
async function clusterPersons(items) {
  const { clusters } = await lib.api('/api/clusters?faces_per_cluster=100');
  return items.map((id) => {
    const c = clusters.find((cl) => cl.faces.some((f) => f.item_id === id));
    return c ? c.person || '' : '-';
  });
}

test('grid: the faces of several single-face photos named as one person at once; the rest refused with reasons; one Undo', async () => {
  const joes = [ids['joe1.jpg'], ids['joe2.jpg']];
  for (const name of ['joe1.jpg', 'joe2.jpg', 'group.jpg', 'coffee.jpg']) {
    assert.match(await folder(name), /^review\//, `${name} waits for review`);
  }
  await page.evaluate(() => { location.hash = '#/review'; });
  await page.getByTestId('grid-mode').click();
  const tile = (name) => page.locator(`[data-testid="tile"][data-item-id="${ids[name]}"]`);
  await tile('joe1.jpg').waitFor();
  assert.match(await tile('joe1.jpg').getByTestId('tile-faces').innerText(), /· 1 face$/);
  assert.match(await tile('group.jpg').getByTestId('tile-faces').innerText(), /· \d+ faces/);
  for (const name of ['joe1.jpg', 'joe2.jpg', 'group.jpg', 'coffee.jpg']) await tile(name).locator('input').check();
  await page.getByTestId('selected-count').filter({ hasText: '4 selected' }).waitFor();

  // Without a chosen person nothing happens but a hint.
  await page.getByTestId('bulk-name-faces').click();
  await toastSays('Choose whose faces these are.');
  const picker = page.getByTestId('bulk-person-select');
  await picker.focus();
  await page.keyboard.type('gar');
  await page.keyboard.press('1');
  assert.equal(await picker.getAttribute('data-value'), 'gary');
  await page.keyboard.press('n');   // a letter in the picker filters; it names nothing
  assert.match(await folder('joe1.jpg'), /^review\//);
  await page.keyboard.press('Escape');   // leaves the picker with gary chosen
  assert.equal(await picker.inputValue(), 'gary');
  // Outside the picker, n names the faces of the selected photos.
  await tile('coffee.jpg').focus();
  await page.keyboard.press('n');
  await toastSays('2 photos named as gary; 2 not changed');
  const said = await page.getByTestId('toast-text').innerText();
  assert.match(said, /group\.jpg\) has \d+ faces; name them one by one on its card/);
  assert.match(said, /coffee\.jpg\) has no detected face to name/);
  await screenshot(page, 'review-grid-named');
  // The two it did not change stay selected, with gary still chosen, to be filed another way without picking them
  // out again.
  await page.getByTestId('selected-count').filter({ hasText: '2 selected' }).waitFor();
  for (const name of ['group.jpg', 'coffee.jpg']) assert.ok(await tile(name).locator('input').isChecked(), name);
  assert.equal(await page.getByTestId('bulk-person-select').inputValue(), 'gary');
  for (const name of ['joe1.jpg', 'joe2.jpg']) assert.equal(await folder(name), 'faces/gary');
  for (const name of ['group.jpg', 'coffee.jpg']) assert.match(await folder(name), /^review\//);
  for (const id of joes) assert.equal((await lib.api(`/api/review/${id}`)).faces[0].named_as, 'gary');
  // The named faces are gary's in the face clusters too (the People page lists them under him).
  assert.deepEqual(await clusterPersons(joes), ['gary', 'gary']);

  // One Undo takes both back: files, labels and clusters.
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastSays('Undone: named the face of 2 photos as gary');
  for (const name of ['joe1.jpg', 'joe2.jpg']) assert.match(await folder(name), /^review\//);
  for (const id of joes) assert.equal((await lib.api(`/api/review/${id}`)).faces[0].named_as, null);
  assert.ok((await clusterPersons(joes)).every((p) => p !== 'gary'), 'no longer gary\'s cluster');

  // Named as somebody nobody has enrolled yet: the person is added first (as on a card), and Undo takes both back.
  for (const name of ['group.jpg', 'coffee.jpg']) await tile(name).locator('input').uncheck();
  for (const name of ['joe1.jpg', 'joe2.jpg']) await tile(name).locator('input').check();
  await page.getByTestId('selected-count').filter({ hasText: '2 selected' }).waitFor();
  await page.getByTestId('bulk-person-new').fill('Hilda Newcomer');
  await page.getByTestId('bulk-name-faces').click();
  await toastSays('2 photos named as Hilda Newcomer.');
  for (const name of ['joe1.jpg', 'joe2.jpg']) assert.equal(await folder(name), 'faces/hilda_newcomer');
  const enrolled = async () => (await lib.api('/api/persons')).persons.map((p) => p.name);
  assert.ok((await enrolled()).includes('hilda_newcomer'));
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastSays('Undone: named the face of 2 photos as Hilda Newcomer');  // the name as written
  for (const name of ['joe1.jpg', 'joe2.jpg']) assert.match(await folder(name), /^review\//);
  await eventually('the person the naming made is gone again',
    async () => !(await enrolled()).includes('hilda_newcomer'));
  await page.getByRole('button', { name: 'One by one' }).click();
});

test('grid: Shift+click selects the range from the tile clicked before; approving a photo without a face is asked first', async () => {
  await page.evaluate(() => { location.hash = '#/review'; });
  await page.getByTestId('grid-mode').click();
  const tiles = page.getByTestId('tile');
  await tiles.first().waitFor();
  const n = await tiles.count();
  assert.ok(n >= 4, `${n} photos wait`);
  const checked = () => tiles.evaluateAll((els) => els.map((el) => el.querySelector('input').checked));
  // A click, then a Shift+click three tiles on: the four between them, both ends included, and no other.
  await tiles.nth(0).click();
  await tiles.nth(3).click({ modifiers: ['Shift'] });
  await page.getByTestId('selected-count').filter({ hasText: '4 selected' }).waitFor();
  assert.deepEqual(await checked(), Array.from({ length: n }, (_, i) => i <= 3));
  // Backwards from the last tile clicked: the range runs the other way too.
  await page.keyboard.press('Escape');
  await page.getByTestId('selected-count').filter({ hasText: '0 selected' }).waitFor();
  await tiles.nth(3).click();
  await tiles.nth(1).click({ modifiers: ['Shift'] });
  await page.getByTestId('selected-count').filter({ hasText: '3 selected' }).waitFor();
  assert.deepEqual(await checked(), Array.from({ length: n }, (_, i) => i >= 1 && i <= 3));
  await page.keyboard.press('Escape');

  // joe1 (a face) and coffee (none found) approved as gary: asked first, naming coffee; Cancel changes nothing.
  const tile = (name) => page.locator(`[data-testid="tile"][data-item-id="${ids[name]}"]`);
  for (const name of ['joe1.jpg', 'coffee.jpg']) await tile(name).locator('input').check();
  await page.getByTestId('selected-count').filter({ hasText: '2 selected' }).waitFor();
  const picker = page.getByTestId('bulk-person-select');
  await picker.focus();
  await page.keyboard.type('gar');
  await page.keyboard.press('1');
  assert.equal(await picker.getAttribute('data-value'), 'gary');
  await page.keyboard.press('Escape');
  await page.getByTestId('bulk-approve').click();
  const dialog = page.getByTestId('confirm-dialog');
  await dialog.waitFor();
  assert.equal(await dialog.locator('h2').innerText(), '1 photo without a face');
  assert.match(await dialog.innerText(), /No face was found in coffee\.jpg\. Approving sorts it into faces\/gary/);
  await screenshot(page, 'review-grid-approve-faceless');
  await page.getByTestId('confirm-no').click();
  await dialog.waitFor({ state: 'detached' });
  for (const name of ['joe1.jpg', 'coffee.jpg']) {
    assert.match(await folder(name), /^review\//, `${name} still waits`);
    assert.ok(await tile(name).locator('input').isChecked(), `${name} stays selected`);
  }
  // Without the faceless photo nothing is asked: joe1 is sorted under gary at once, and Undo takes it back.
  await tile('coffee.jpg').locator('input').uncheck();
  await page.getByTestId('bulk-approve').click();
  await toastSays('1 photo sorted under');
  assert.equal(await page.getByTestId('confirm-dialog').count(), 0);
  assert.equal(await folder('joe1.jpg'), 'faces/gary');
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastSays('Undone');
  assert.match(await folder('joe1.jpg'), /^review\//);
  await page.getByRole('button', { name: 'One by one' }).click();
});

test('the card shows its photo at screen density; z opens a 1:1 loupe under the pointer, Esc closes it', async () => {
  const id = ids['group.jpg'];
  await page.evaluate(() => { location.hash = '#/review/multiple_faces'; });
  assert.equal(await currentCardId(page), id);
  const img = page.locator('[data-testid="face-stage"] img');
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="face-stage"] img');
    return el && el.complete && el.naturalWidth > 0;
  });
  const shown = await img.evaluate((el) => ({ srcset: el.getAttribute('srcset'), sizes: el.getAttribute('sizes'),
    current: el.currentSrc, natural: el.naturalWidth, width: el.clientWidth, dpr: window.devicePixelRatio }));
  assert.equal(shown.srcset.split(',').length, 4, `four thumbnail widths offered: ${shown.srcset}`);
  assert.ok(shown.sizes, 'the image says how wide it is shown');
  assert.ok(shown.natural >= shown.width * shown.dpr, `sharp: ${JSON.stringify(shown)}`);
  assert.match(shown.current, /size=1280$/);

  // Not while typing: z in the name box is a letter.
  await page.getByTestId('person-new').focus();
  await page.keyboard.press('z');
  assert.equal(await page.getByTestId('lens').count(), 0);
  assert.equal(await page.getByTestId('person-new').inputValue(), 'z');
  await page.getByTestId('person-new').fill('');
  await page.getByTestId('review-card').focus();

  // The pointer over the photo, then off it (over the page's corner): the key opens the lens on the photo's middle.
  const before = await img.boundingBox();
  await page.mouse.move(before.x + 3, before.y + 3);
  await page.mouse.move(1, 1);
  await page.keyboard.press('z');
  const lens = page.locator('[data-testid="lens"][data-ready="yes"]');
  await lens.waitFor();
  assert.equal(await page.getByTestId('lens-toggle').getAttribute('aria-pressed'), 'true');
  const box = await img.boundingBox();
  // Opened by the key with the pointer off the photo: on the photo's middle, not at the edge it left by.
  const opened = await lens.boundingBox();
  assert.ok(Math.abs(opened.x + opened.width / 2 - (box.x + box.width / 2)) <= 2 &&
    Math.abs(opened.y + opened.height / 2 - (box.y + box.height / 2)) <= 2,
  `the lens opens on the middle of the photo: ${JSON.stringify({ opened, box })}`);
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.5);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="lens"]').dataset.x) < 400);
  const under = await lens.evaluate((el) => ({ x: Number(el.dataset.x), y: Number(el.dataset.y),
    size: el.style.backgroundSize, left: el.getBoundingClientRect().left + el.offsetWidth / 2 }));
  assert.equal(under.size, '1280px 853px', 'the original at its own size: one pixel per pixel');
  assert.ok(Math.abs(under.x - 320) <= 3 && Math.abs(under.y - 426) <= 3, `the pixel under the pointer: ${JSON.stringify(under)}`);
  assert.ok(Math.abs(under.left - (box.x + box.width * 0.25)) <= 2, 'the lens is centred on the pointer');
  await screenshot(page, 'review-loupe');
  await page.keyboard.press('Escape');
  await page.getByTestId('lens').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('lens-toggle').getAttribute('aria-pressed'), 'false');

  // The button does the same; the shortcut sheet lists the key.
  await page.getByTestId('lens-toggle').click();
  await lens.waitFor();
  await page.getByTestId('lens-toggle').click();
  await page.getByTestId('lens').waitFor({ state: 'detached' });
  await page.getByTestId('review-card').focus();
  await page.keyboard.press('?');
  const sheet = page.getByTestId('shortcuts');
  await sheet.getByText('Loupe: the original pixels 1:1 under the pointer').waitFor();
  await page.keyboard.press('Escape');
  await sheet.waitFor({ state: 'detached' });
  assert.equal((await lib.item(id)).location, 'review', 'looking decided nothing');
});

test('on a phone: a tap opens the photo at 1:1 to pan; the decision bar covers no face row; Approve on screen', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await page.evaluate(() => { location.hash = '#/review/multiple_faces'; });
    await page.getByTestId('face-row').first().waitFor();
    await page.waitForFunction(() => document.querySelector('.view').style.getPropertyValue('--decision-bar-px') !== '');
    const approve = await page.getByTestId('approve').boundingBox();
    assert.ok(approve && approve.y >= 0 && approve.y + approve.height <= 844, `Approve on screen: ${JSON.stringify(approve)}`);
    // Room below the card as tall as the bar: scrolled to the end, every face row and detail sits above the bar.
    const layout = await page.evaluate(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      const bar = document.querySelector('[data-testid="actions"]').getBoundingClientRect();
      const padding = parseFloat(getComputedStyle(document.querySelector('.review')).paddingBottom);
      const under = [...document.querySelectorAll('[data-testid="face-row"], .review-card .meta, [data-testid="position"]')]
        .map((el) => el.getBoundingClientRect().bottom).filter((bottom) => bottom > bar.top);
      return { barHeight: bar.height, padding, under };
    });
    assert.ok(layout.padding >= layout.barHeight, `padding below the card ≥ the bar: ${JSON.stringify(layout)}`);
    assert.deepEqual(layout.under, [], 'nothing under the decision bar');
    // (Scrolled to the end: the full-page screenshot draws the fixed bar where it is on screen, below the card.)
    await screenshot(page, 'review-group-phone-end');
    await page.evaluate(() => window.scrollTo(0, 0));

    // A finger on the loupe button: the original at 1:1, centred, panned by scrolling.
    const toggle = page.getByTestId('lens-toggle');
    // (A tap: a touch pointerdown, then the click it makes; a mouse click would say "mouse".)
    await toggle.dispatchEvent('pointerdown', { pointerType: 'touch' });
    await toggle.dispatchEvent('click');
    const pan = page.locator('[data-testid="pan-view"][data-ready="yes"]');
    await pan.waitFor();
    const view = await pan.evaluate((el) => {
      const s = el.querySelector('.pan-scroll');
      const im = s.querySelector('img');
      return { natural: im.naturalWidth, shown: im.getBoundingClientRect().width, left: s.scrollLeft,
        centre: (im.naturalWidth - s.clientWidth) / 2, focus: document.activeElement.dataset.testid };
    });
    assert.equal(view.shown, view.natural, `1:1: ${JSON.stringify(view)}`);
    assert.ok(Math.abs(view.left - view.centre) <= 1, `centred: ${JSON.stringify(view)}`);
    assert.equal(view.focus, 'pan-close');
    await screenshot(page, 'review-loupe-pan');
    await page.keyboard.press('Escape');
    await page.getByTestId('pan-view').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'lens-toggle');
  } finally {
    await page.setViewportSize({ width: 1440, height: 900 });
  }
});

test('on a phone: Select several keeps its bar in place (not stuck over the grid); a button brings it back', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await page.evaluate(() => { location.hash = '#/review'; });
    await page.getByTestId('grid-mode').click();
    await page.getByTestId('tile').first().waitFor();
    const jump = page.getByTestId('bulk-jump');
    assert.equal(await jump.isVisible(), false, 'nothing selected: no button');
    await page.getByTestId('tile').first().locator('input').check();
    await page.getByTestId('selected-count').filter({ hasText: '1 selected' }).waitFor();
    assert.equal(await jump.isVisible(), false, 'the bar itself on screen: no button');
    // Scrolled down past the bar: it stays in the page rather than covering the tiles, and the button shows.
    const scrolled = await page.evaluate(() => {
      const bar = document.querySelector('[data-testid="bulk-bar"]');
      document.documentElement.style.minHeight = `${window.innerHeight * 3}px`;   // room to scroll on a short queue
      window.scrollTo(0, bar.getBoundingClientRect().bottom + window.scrollY + 40);
      return { top: bar.getBoundingClientRect().top, height: bar.getBoundingClientRect().height };
    });
    assert.ok(scrolled.top < 0, `the bar scrolled away with the page: ${JSON.stringify(scrolled)}`);
    await jump.waitFor();
    assert.match(await jump.innerText(), /^1 selected/);
    await screenshot(page, 'review-grid-phone-jump');
    const box = await jump.boundingBox();
    assert.ok(box.y + box.height <= 844 && box.height < 80, `a small button at the bottom: ${JSON.stringify(box)}`);
    await jump.click();
    await page.waitForFunction(() => {
      const r = document.querySelector('[data-testid="bulk-bar"]').getBoundingClientRect();
      return r.top >= -1 && r.bottom <= window.innerHeight;
    });
    await jump.waitFor({ state: 'hidden' });
    await page.getByTestId('tile').first().locator('input').uncheck();
    await page.getByTestId('selected-count').filter({ hasText: '0 selected' }).waitFor();
    await page.getByRole('button', { name: 'One by one' }).click();   // the mode is remembered; the next test reviews one by one
  } finally {
    await page.evaluate(() => { document.documentElement.style.minHeight = ''; });
    await page.setViewportSize({ width: 1440, height: 900 });
  }
});

test('duplicates side by side: both copies at screen density, a larger thumbnail as the view zooms in', async () => {
  await page.evaluate(() => { location.hash = '#/review/duplicates'; });
  await page.getByTestId('side-by-side').waitFor();
  const left = page.getByTestId('new-image').locator('img');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="compare-panes"] img')]
    .every((el) => el.complete && el.naturalWidth > 0));
  // The tools sit above the two panes, which share the width (no other page's .compare layout applies here).
  const layout = await page.getByTestId('side-by-side').evaluate((el) => {
    const tools = el.querySelector('.compare-tools').getBoundingClientRect();
    const panes = [...el.querySelectorAll('[data-testid="compare-panes"] .pane')].map((p) => p.getBoundingClientRect());
    return { toolsBottom: tools.bottom, panesTop: Math.min(...panes.map((p) => p.top)),
      widths: panes.map((p) => p.width), view: el.getBoundingClientRect().width };
  });
  assert.ok(layout.toolsBottom <= layout.panesTop + 1, JSON.stringify(layout));
  assert.ok(layout.widths.length === 2 && layout.widths.every((w) => w > layout.view * 0.4), JSON.stringify(layout));
  const before = await left.evaluate((el) => ({ srcset: el.getAttribute('srcset'), sizes: el.getAttribute('sizes'),
    natural: el.naturalWidth }));
  assert.ok(before.srcset.split(',').length >= 2, before.srcset);
  assert.match(before.sizes, /\* 1\)/);
  await page.getByRole('button', { name: 'Zoom in' }).click();
  assert.match(await left.getAttribute('sizes'), /\* 1\.5\)/);
  await screenshot(page, 'review-duplicates-dense');
});
