// Culling and keys in headless Chromium against a real `triage serve`: a photo deleted from the gallery's photo view
// (key d) goes to the trash and comes back with the toast's Undo or Ctrl-Z, while a photo waiting in review cannot be
// deleted there; a gallery tile with the keyboard's focus keeps its photo in sight (the score bars show on hover only,
// and fit the tile); the review grid's Space, Esc, d and person picker; a proposal's approval taken back with Undo;
// and the "why this score" panel naming a duplicate group's members by their file names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, screenshot, triage, toastStarting, withClockHeld } from './harness.mjs';

let lib; let library; let page;
const ids = {};   // file name -> item id
let proposalId;

// Face analysis off, so every photo waits in review as unidentified; five of them kept (to photos/), Tom filed under
// Ada and sample4 proposed for his place. g_small (a smaller copy of f_obama3) waits in review/near_duplicates, and
// the two are a duplicate group that f_obama3 leads.
const PHOTOS = [['obama.jpg', 'a_obama.jpg'], ['biden.jpg', 'b_biden.jpg'], ['skimage_coffee.jpg', 'c_coffee.jpg'],
  ['skimage_astronaut.jpg', 'd_astronaut.jpg'], ['obama3.jpg', 'f_obama3.jpg'], ['../demo/obama3_small.jpg', 'g_small.jpg'],
  ['obama2.jpg', 'h_obama2.jpg'], ['biden2.jpg', 'i_biden2.jpg'], ['vladmandic_sample1.jpg', 'j_sample1.jpg'],
  ['Tom_Cruise_avp_2014_4.jpg', 'k_tom.jpg'], ['vladmandic_sample4.jpg', 'l_sample4.jpg']];
const KEPT = ['a_obama.jpg', 'b_biden.jpg', 'c_coffee.jpg', 'd_astronaut.jpg', 'f_obama3.jpg'];

function prepare(root) {
  const run = (...args) => execFileSync(triage, ['--library', root, ...args], { encoding: 'utf8' });
  for (const item of JSON.parse(run('review', 'list', '--json'))) ids[path.basename(item.path)] = item.id;
  for (const name of KEPT) run('review', 'keep', String(ids[name]));
  run('review', 'approve', String(ids['k_tom.jpg']), '--person', 'Ada');
  proposalId = JSON.parse(run('proposals', 'add', String(ids['k_tom.jpg']), String(ids['l_sample4.jpg']), '--json')).id;
}

before(async () => {
  lib = await openLibrary({ photos: PHOTOS, prepare });
  ({ library, page } = lib);
  await logIn(page);
});

after(async () => { await closeLibrary(lib); });

const go = (hash) => page.evaluate((h) => { location.hash = h; }, hash);
const onDisk = (p) => fs.existsSync(path.join(library, p));
const tileOf = (name) => page.locator(`[data-testid="tile"][data-id="${ids[name]}"]`);
// Waits until the item's catalog record satisfies `ok` (the API, not the page); returns it.
async function itemWhen(name, ok, what) {
  let item;
  for (let i = 0; i < 100; i++) {
    item = await lib.item(ids[name]);
    if (ok(item)) return item;
    await page.waitForTimeout(100);
  }
  assert.fail(`${name} ${what}: ${JSON.stringify(item)}`);
}
// The gallery drawn afresh (a photo view left open by a test before is closed with its page).
async function openGallery() {
  await go('#/stats');
  await page.waitForFunction(() => location.hash === '#/stats');
  await go('#/gallery');
  await page.getByTestId('gallery-total').filter({ hasText: `${PHOTOS.length} photos` }).waitFor();
  await tileOf('c_coffee.jpg').waitFor();
}
// The file names of the gallery's tiles, in their order.
const tileNames = () => page.getByTestId('tile').evaluateAll((tiles) => tiles
  .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index)).map((t) => t.title));

test('gallery photo view: d moves a library photo to the trash; Undo and Ctrl-Z bring it back; a photo in review stays', async () => {
  await openGallery();
  const total = PHOTOS.length;
  const names = await tileNames();
  assert.equal(names.length, total);
  const at = names.indexOf('c_coffee.jpg');
  const slot = (await lib.item(ids['c_coffee.jpg'])).path;
  assert.equal((await lib.item(ids['c_coffee.jpg'])).location, 'library');
  assert.ok(onDisk(slot), slot);

  // d in the photo view: the next photo shows, the count drops by one, the toast says what moved.
  await tileOf('c_coffee.jpg').click();
  const loupe = page.getByTestId('loupe');
  await loupe.waitFor();
  await page.getByTestId('fact-file').filter({ hasText: /^c_coffee\.jpg$/ }).waitFor();
  assert.equal(await page.getByTestId('loupe-count').innerText(), `${at + 1} of ${total}`);
  assert.equal(await page.getByTestId('loupe-delete').isDisabled(), false);
  await page.keyboard.press('d');
  const moved = toastStarting(page, 'Moved c_coffee.jpg to the trash.');
  await moved.waitFor();
  assert.equal(await moved.innerText(), 'Moved c_coffee.jpg to the trash.');
  const rest = names.filter((n) => n !== 'c_coffee.jpg');
  const next = rest[Math.min(at, rest.length - 1)];
  await page.getByTestId('fact-file').filter({ hasText: new RegExp(`^${next.replace('.', '\\.')}$`) }).waitFor();
  assert.equal(await page.getByTestId('loupe-count').innerText(), `${Math.min(at, rest.length - 1) + 1} of ${total - 1}`);
  let trashed = await itemWhen('c_coffee.jpg', (i) => i.location === 'trash', 'is not in the trash');
  assert.ok(!onDisk(slot), `${slot} is still in the library folder`);
  assert.ok(trashed.path.startsWith('.triage/trash/'), trashed.path);
  assert.ok(onDisk(trashed.path), `${trashed.path} is not on disk`);
  await screenshot(page, 'culling-deleted');

  // The toast's Undo, clicked over the photo view: the file back at its path, the gallery showing it again with the
  // count it had, and the photo view still open, on the photo put back.
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastStarting(page, 'Undone').waitFor();
  await page.getByTestId('fact-file').filter({ hasText: /^c_coffee\.jpg$/ }).waitFor();
  assert.equal(await loupe.isVisible(), true, 'the photo view stays open after the undo');
  assert.equal(await page.getByTestId('loupe-count').innerText(), `${at + 1} of ${total}`);
  let back = await itemWhen('c_coffee.jpg', (i) => i.location === 'library', 'did not come back');
  assert.equal(back.path, slot);
  assert.ok(onDisk(slot), `${slot} is not back on disk`);
  assert.ok(!onDisk(trashed.path), `${trashed.path} is still in the trash`);
  await page.getByTestId('gallery-total').filter({ hasText: `${total} photos` }).waitFor();
  await tileOf('c_coffee.jpg').waitFor();

  // Again, then the photo view closed and Ctrl-Z on the gallery page.
  if (await loupe.count()) {
    await page.keyboard.press('Escape');
    await loupe.waitFor({ state: 'detached' });
  }
  await tileOf('c_coffee.jpg').click();
  await loupe.waitFor();
  await page.getByTestId('fact-file').filter({ hasText: /^c_coffee\.jpg$/ }).waitFor();
  await page.keyboard.press('d');
  await toastStarting(page, 'Moved c_coffee.jpg to the trash.').waitFor();
  trashed = await itemWhen('c_coffee.jpg', (i) => i.location === 'trash', 'is not in the trash the second time');
  assert.ok(!onDisk(slot));
  await page.keyboard.press('Escape');
  await loupe.waitFor({ state: 'detached' });
  // Closed after a deletion, the grid is drawn anew from the server (month counts, a burst's marks), the focus on a
  // photo of it, the deleted one no longer there.
  await tileOf('c_coffee.jpg').waitFor({ state: 'detached' });
  await page.waitForFunction(() => !!document.activeElement?.closest('[data-testid="tile"]'));
  assert.equal((await tileNames()).length, total - 1);
  await page.keyboard.press('Control+z');
  await toastStarting(page, 'Undone').waitFor();
  back = await itemWhen('c_coffee.jpg', (i) => i.location === 'library', 'did not come back with Ctrl-Z');
  assert.equal(back.path, slot);
  assert.ok(onDisk(slot), `${slot} is not back on disk after Ctrl-Z`);
  await page.getByTestId('gallery-total').filter({ hasText: `${total} photos` }).waitFor();
  await tileOf('c_coffee.jpg').waitFor();

  // A photo waiting in review: Delete is offered disabled, and d does nothing to it but say where it is decided.
  const waiting = (await lib.item(ids['g_small.jpg'])).path;
  await tileOf('g_small.jpg').click();
  await loupe.waitFor();
  await page.getByTestId('fact-file').filter({ hasText: /^g_small\.jpg$/ }).waitFor();
  const count = await page.getByTestId('loupe-count').innerText();
  assert.equal(await page.getByTestId('loupe-delete').isDisabled(), true, 'Delete is offered for a photo in review');
  // Why, in words on the page (the button's title shows on hover only), with the way to the card it is decided on.
  const note = page.getByTestId('loupe-in-review');
  assert.equal(await note.innerText(), 'This photo waits in review, so it is not deleted here: decide it on the Review page.');
  assert.equal(await note.getByRole('link').getAttribute('href'), `#/review/near_duplicates?item=${ids['g_small.jpg']}`);
  assert.equal(await page.getByTestId('loupe-delete').getAttribute('aria-describedby'), 'loupe-in-review');
  await page.keyboard.press('d');
  await toastStarting(page, 'g_small.jpg waits in review: decide it on the Review page').waitFor();
  assert.equal(await page.getByTestId('fact-file').innerText(), 'g_small.jpg', 'd moved on from the photo in review');
  assert.equal(await page.getByTestId('loupe-count').innerText(), count);
  const still = await lib.item(ids['g_small.jpg']);
  assert.equal(still.location, 'review');
  assert.equal(still.path, waiting);
  assert.ok(onDisk(waiting));
  await page.keyboard.press('Escape');
  await loupe.waitFor({ state: 'detached' });
});

// The element a click at the middle of `locator` lands on, said as "itself" or as what covers it.
const topmost = (locator) => locator.evaluate((el) => {
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
  return !hit || el.contains(hit) ? 'itself' : `${hit.tagName.toLowerCase()}.${hit.className} ${hit.getAttribute('alt') || ''}`.trim();
});

test('gallery photo view: the toast of a deletion is seen over the photo view, and its Undo can be clicked there', async () => {
  await openGallery();
  const slot = (await lib.item(ids['d_astronaut.jpg'])).path;
  await tileOf('d_astronaut.jpg').click();
  await page.getByTestId('loupe').waitFor();
  await page.getByTestId('fact-file').filter({ hasText: /^d_astronaut\.jpg$/ }).waitFor();
  await page.keyboard.press('d');
  const said = toastStarting(page, 'Moved d_astronaut.jpg to the trash.');
  await said.waitFor();
  await itemWhen('d_astronaut.jpg', (i) => i.location === 'trash', 'is not in the trash');
  const undo = page.getByTestId('toast-action').filter({ hasText: 'Undo' });
  try {
    await screenshot(page, 'culling-loupe-toast');
    assert.equal(await topmost(said), 'itself', 'the toast saying what was deleted is hidden behind the photo view');
    assert.equal(await topmost(undo), 'itself', 'the toast\'s Undo is covered by the photo view');
    await undo.click({ timeout: 5000 });
    await toastStarting(page, 'Undone').waitFor();
    // The view is down while the photos are reloaded, then open again on the photo put back: closed only after that,
    // or the Esc below would find no view to close and the view would open after it.
    await page.getByTestId('fact-file').filter({ hasText: /^d_astronaut\.jpg$/ }).waitFor();
  } finally {
    // Whatever the page allowed, the photo back in its place for the tests after this one.
    if ((await lib.item(ids['d_astronaut.jpg'])).location === 'trash') {
      if (await undo.count()) await undo.dispatchEvent('click');
      else await page.keyboard.press('Control+z');
    }
    const back = await itemWhen('d_astronaut.jpg', (i) => i.location === 'library', 'did not come back');
    assert.equal(back.path, slot);
    // An undo made in the view opens it again on the photo put back once the photos are reloaded: let that happen
    // first (whether or not the assertions above held), so that the view closed below stays closed.
    await page.getByTestId('fact-file').filter({ hasText: /^d_astronaut\.jpg$/ }).waitFor({ timeout: 5000 }).catch(() => {});
    // Closed for the next test.
    if (await page.getByTestId('loupe').count()) await page.keyboard.press('Escape');
    await page.getByTestId('loupe').waitFor({ state: 'detached' });
  }
});

// d pressed twice quickly in the photo view: the first deletes the photo, the second would delete the one shown in its
// place, which nobody saw; it is dropped and said.
test('gallery photo view: d pressed twice quickly deletes one photo', async () => {
  await openGallery();
  // A library photo followed by another: the one the first d deletes, and the one shown in its place.
  const names = await tileNames();
  const inLibrary = async (name) => (await lib.item(ids[name])).location === 'library';
  let at = -1;
  for (let i = 0; i + 1 < names.length && at < 0; i++) {
    if (await inLibrary(names[i]) && await inLibrary(names[i + 1])) at = i;
  }
  assert.ok(at >= 0, `two library photos side by side in ${names}`);
  const [gone, next] = [names[at], names[at + 1]];
  const loupe = page.getByTestId('loupe');
  await tileOf(gone).click();
  await loupe.waitFor();
  await page.getByTestId('fact-file').filter({ hasText: gone }).waitFor();
  await withClockHeld(page, async () => {
    await page.keyboard.press('d');
    await toastStarting(page, `Moved ${gone} to the trash.`).waitFor();
    await page.getByTestId('fact-file').filter({ hasText: next }).waitFor();
    await page.keyboard.press('d');
    const said = page.getByTestId('toast-text').filter({ hasText: `The second “d” came as ${next} appeared, so it was not applied` });
    await said.waitFor();
    assert.ok((await said.innerText()).startsWith(`Moved ${gone} to the trash.`), await said.innerText());
    assert.equal(await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).count(), 1, 'the delete\'s Undo is kept');
  });
  assert.equal((await lib.item(ids[gone])).location, 'trash');
  assert.equal((await lib.item(ids[next])).location, 'library', `${next} was deleted by the second press`);
  assert.equal(await page.getByTestId('fact-file').innerText(), next);
  // Back as it was: the deletion undone, the view (opened again on the photo put back) closed.
  await page.keyboard.press('Control+z');
  await toastStarting(page, 'Undone').waitFor();
  await itemWhen(gone, (i) => i.location === 'library', 'did not come back');
  await page.getByTestId('fact-file').filter({ hasText: gone }).waitFor();
  await page.keyboard.press('Escape');
  await loupe.waitFor({ state: 'detached' });
});

// An undo made in the photo view reloads the photos and opens the view again on its photo; closed with Esc while that
// reload is on its way (slowed down here, as a loaded server does), it stays closed.
test('gallery photo view: closed while an undo reloads the photos, it is not opened again', async () => {
  await openGallery();
  await tileOf('d_astronaut.jpg').click();
  await page.getByTestId('fact-file').filter({ hasText: /^d_astronaut\.jpg$/ }).waitFor();
  await page.keyboard.press('d');
  await toastStarting(page, 'Moved d_astronaut.jpg to the trash.').waitFor();
  await itemWhen('d_astronaut.jpg', (i) => i.location === 'trash', 'is not in the trash');
  const slow = async (route) => { await new Promise((r) => setTimeout(r, 1500)); await route.continue(); };
  await page.route(/\/api\/gallery\?/, slow);
  try {
    await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
    await page.getByTestId('loupe').waitFor({ state: 'detached' });   // down while the photos reload
    await page.keyboard.press('Escape');
    await itemWhen('d_astronaut.jpg', (i) => i.location === 'library', 'did not come back');
    await page.waitForTimeout(2500);   // the reload's answer is in
    assert.equal(await page.getByTestId('loupe').count(), 0, 'the photo view opened again after Esc');
  } finally {
    await page.unroute(/\/api\/gallery\?/, slow);
    if ((await lib.item(ids['d_astronaut.jpg'])).location === 'trash') await page.keyboard.press('Control+z');
    await itemWhen('d_astronaut.jpg', (i) => i.location === 'library', 'did not come back');
    for (let tries = 0; tries < 3 && await page.getByTestId('loupe').count(); tries++) await page.keyboard.press('Escape');
  }
});

test('gallery tiles: the keyboard\'s focus leaves the photo in sight; hover shows every score bar within the tile', async () => {
  await openGallery();
  await page.mouse.move(2, 2);   // the pointer over no tile
  await page.getByTestId('tile').first().focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.activeElement?.dataset?.testid === 'tile' &&
    document.activeElement.dataset.index === '1');
  const focused = page.locator('[data-testid="tile"][data-index="1"]');
  assert.equal(await focused.evaluate((t) => t.matches(':hover')), false);
  assert.equal(await focused.locator('.tile-hover').evaluate((el) => getComputedStyle(el).display), 'none',
    'the score bars cover the focused tile\'s photo');
  await screenshot(page, 'culling-tile-focus');

  // Under the pointer: the bars show, every row inside the tile, nothing to scroll to.
  const hovered = page.locator('[data-testid="tile"][data-index="2"]');
  await hovered.hover();
  const overlay = hovered.locator('.tile-hover');
  await page.waitForFunction((el) => getComputedStyle(el).display === 'block', await overlay.elementHandle());
  const fit = await hovered.evaluate((t) => {
    const o = t.querySelector('.tile-hover');
    const box = t.getBoundingClientRect();
    const rows = [...o.querySelectorAll('.score-bar')].map((r) => {
      const b = r.getBoundingClientRect();
      return { name: r.dataset.dimension || 'head', top: b.top - box.top, bottom: b.bottom - box.top };
    });
    return { scroll: o.scrollHeight, client: o.clientHeight, tile: box.height, rows };
  });
  const scored = (await lib.api(`/api/items/${await hovered.getAttribute('data-id')}/score`)).quality.dimensions;
  assert.equal(fit.rows.length, 1 + Object.keys(scored).length, `the head and each dimension: ${JSON.stringify(fit.rows)}`);
  assert.ok(fit.scroll <= fit.client + 1, `the score bars scroll: ${fit.scroll} px in ${fit.client} px`);
  for (const r of fit.rows) {
    assert.ok(r.top >= -0.5 && r.bottom <= fit.tile + 0.5, `${r.name} lies outside the ${fit.tile} px tile: ${JSON.stringify(r)}`);
  }
  await screenshot(page, 'culling-tile-hover');
  await page.mouse.move(2, 2);
});

test('the "why this score" panel names a duplicate group\'s members by file name, never by number', async () => {
  await openGallery();
  for (const [name, words] of [['f_obama3.jpg', /this photo leads/], ['g_small.jpg', /f_obama3\.jpg leads/]]) {
    await tileOf(name).click();
    await page.getByTestId('loupe').waitFor();
    await page.getByTestId('fact-file').filter({ hasText: name }).waitFor();
    const group = page.getByTestId('why').getByTestId('group-duplicate');
    await group.waitFor();
    const text = await group.innerText();
    assert.match(text, /^Duplicate group of 2: /, text);
    assert.match(text, words, text);
    assert.match(text, /g_small\.jpg/, `the other member is not named: ${text}`);
    assert.doesNotMatch(text, /#\d/, `a member is named by number: ${text}`);
    await page.keyboard.press('Escape');
    await page.getByTestId('loupe').waitFor({ state: 'detached' });
  }
});

test('review grid: the focus on a tile, Space selects, Esc clears, d asks first, Esc in the picker gives the keys back', async () => {
  await go('#/review/unidentified');
  await page.getByTestId('review-card').waitFor();
  await page.getByTestId('grid-mode').click();
  const tiles = page.getByTestId('tile');
  await tiles.first().waitFor();
  await page.waitForFunction(() => !!document.activeElement?.closest('[data-testid="tile"]'), null, { timeout: 5000 })
    .catch(() => {});
  assert.equal(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="tile"]')), true,
    `the focus is on ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120))}, not on a tile`);
  const count = page.getByTestId('selected-count');
  assert.equal(await count.innerText(), '0 selected');

  // Space selects the tile under the cursor; Esc lets go of the selection and says so.
  await page.keyboard.press(' ');
  await count.filter({ hasText: /^1 selected$/ }).waitFor();
  const chosen = Number(await page.locator('[data-testid="tile"].selected').getAttribute('data-item-id'));
  await page.keyboard.press('Escape');
  await count.filter({ hasText: /^0 selected$/ }).waitFor();
  await toastStarting(page, 'Selection cleared (').waitFor();
  assert.equal(await page.getByTestId('toast-text').innerText(), 'Selection cleared (1 photo).');
  assert.equal(await page.locator('[data-testid="tile"].selected').count(), 0);

  // d with a photo selected asks first; Cancel moves nothing.
  const waiting = (await lib.api(`/api/items/${chosen}`)).item;
  await page.keyboard.press(' ');
  await count.filter({ hasText: /^1 selected$/ }).waitFor();
  await page.keyboard.press('d');
  const dialog = page.getByTestId('confirm-dialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Delete 1 photo\?/);
  await screenshot(page, 'culling-grid-confirm');
  await dialog.getByTestId('confirm-no').click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForTimeout(300);
  const after = (await lib.api(`/api/items/${chosen}`)).item;
  assert.equal(after.location, 'review');
  assert.equal(after.path, waiting.path);
  assert.ok(onDisk(waiting.path));
  assert.equal(await count.innerText(), '1 selected');
  await page.keyboard.press('Escape');
  await count.filter({ hasText: /^0 selected$/ }).waitFor();

  // Typing in the person picker, then Esc: the focus is back on a tile, so n is the grid's key, not a letter typed.
  const picker = page.getByTestId('bulk-person-select');
  await picker.click();
  await page.keyboard.type('zz');
  assert.equal(await picker.inputValue(), 'zz');
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="tile"]')), true,
    `after Esc the focus is on ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120))}`);
  await page.keyboard.press('n');
  await toastStarting(page, 'Select some photos first.').waitFor();
  assert.equal(await picker.inputValue(), '', 'n was typed into the picker');
  assert.equal(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="tile"]')), true);
});

test('proposals: an approval is taken back with the toast\'s Undo, and the proposed photo is back in review', async () => {
  const before = JSON.parse(lib.run(['items', '--json', '--limit', '100']));
  const slot = before.find((i) => i.id === ids['k_tom.jpg']).path;
  const waiting = before.find((i) => i.id === ids['l_sample4.jpg']).path;
  assert.match(waiting, /^review\//);
  await go('#/proposals');
  const detail = page.getByTestId('proposal-detail');
  await detail.waitFor();
  assert.equal(Number(await detail.getAttribute('data-proposal-id')), proposalId);
  await page.getByTestId('proposal-approve').click();
  await toastStarting(page, `Proposal ${proposalId} approved.`).waitFor();
  const action = page.getByTestId('toast-action');
  assert.equal((await action.innerText()).trim(), 'Undo', 'the approval\'s toast offers Undo');
  assert.ok(!onDisk(waiting), 'the proposed photo is still in review after the approval');
  assert.equal(JSON.parse(lib.run(['proposals', 'show', String(proposalId), '--json'])).status, 'approved');
  await screenshot(page, 'culling-proposal-approved');

  await action.click();
  await toastStarting(page, 'Undone: ').waitFor();
  assert.equal(JSON.parse(lib.run(['proposals', 'show', String(proposalId), '--json'])).status, 'pending');
  const now = JSON.parse(lib.run(['items', '--json', '--limit', '100']));
  const proposed = now.find((i) => i.id === ids['l_sample4.jpg']);
  const current = now.find((i) => i.id === ids['k_tom.jpg']);
  assert.equal(proposed.location, 'review');
  assert.equal(proposed.path, waiting);
  assert.ok(onDisk(waiting), `${waiting} is not back in its review folder`);
  assert.equal(current.location, 'library');
  assert.equal(current.path, slot);
  assert.ok(onDisk(slot), `${slot} is not back in its place`);
  // The page shows it pending again, to be decided.
  await page.getByTestId('proposal-approve').waitFor();
});
