// Byte copies and bulk decisions across pages, in headless Chromium against a real `triage serve`: a copy whose
// original a reviewer replaced with another copy of it is compared with that kept copy (not told it is a photo of its
// own) and cannot be approved alone; "Delete selected" after Ctrl+A counts every photo selected, on every page; Ctrl+A
// on "All" counts the duplicates it selected on other pages (no "Approve selected" for them); and a copy of a group
// photo kept in its original's place keeps the face names and marks the reviewer gave the original.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, screenshot, toastStarting, triage, fixtures } from './harness.mjs';

let lib; let page;
const ids = {};   // file name -> item id
// More photos than one page of the review grid holds, each its own picture (no two of them duplicates).
const MANY = 64;

// a_orig is kept into photos/ before the copies come in; b_orig waits in review/unidentified.
function prepare(root) {
  const run = (...args) => execFileSync(triage, ['--library', root, ...args], { encoding: 'utf8' });
  for (const item of JSON.parse(run('review', 'list', '--json'))) ids[path.basename(item.path)] = item.id;
  run('review', 'keep', String(ids['a_orig.jpg']));
}

// `count` JPEGs drawn by the browser itself (a canvas, so that the test needs no image tool installed): each a grid of
// blocks coloured from its own seed, so that every perceptual hash differs from every other by far.
async function distinctJpegs(count) {
  return page.evaluate((n) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      let seed = (i + 1) * 7919;
      const next = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) & 255; };
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 240;
      const ctx = canvas.getContext('2d');
      for (let y = 0; y < 6; y++) {
        for (let x = 0; x < 8; x++) {
          ctx.fillStyle = `rgb(${next()}, ${next()}, ${next()})`;
          ctx.fillRect(x * 40, y * 40, 40, 40);
        }
      }
      out.push(canvas.toDataURL('image/jpeg', 0.92).split(',')[1]);
    }
    return out;
  }, count);
}

before(async () => {
  lib = await openLibrary({
    photos: [['skimage_coffee.jpg', 'a_orig.jpg'], ['skimage_astronaut.jpg', 'b_orig.jpg']], prepare,
  });
  page = lib.page;
  // Then (a second intake) the many photos, and last (a third) the copies: exact copies of a_orig (in the library)
  // and of b_orig (waiting), so that in "All", oldest first, the copies come after every other photo.
  const many = fs.mkdtempSync(path.join(lib.tmp, 'many-'));
  (await distinctJpegs(MANY)).forEach((b64, i) =>
    fs.writeFileSync(path.join(many, `p_${String(i).padStart(2, '0')}.jpg`), Buffer.from(b64, 'base64')));
  lib.run(['ingest', '--source', 'browser-test', many]);
  const copies = fs.mkdtempSync(path.join(lib.tmp, 'copies-'));
  for (const [name, as] of [['skimage_coffee.jpg', 'a_copy1.jpg'], ['skimage_coffee.jpg', 'a_copy2.jpg'],
    ['skimage_astronaut.jpg', 'b_copy.jpg']]) fs.copyFileSync(path.join(fixtures, name), path.join(copies, as));
  lib.run(['ingest', '--source', 'browser-test', copies]);
  await logIn(page);
  for (const item of (await lib.api('/api/items?per_page=200')).items) ids[item.file_name] = item.id;
  assert.equal((await lib.item(ids['a_orig.jpg'])).location, 'library');
  for (const [copy, original] of [['a_copy1.jpg', 'a_orig.jpg'], ['a_copy2.jpg', 'a_orig.jpg'], ['b_copy.jpg', 'b_orig.jpg']]) {
    const item = await lib.item(ids[copy]);
    assert.deepEqual([item.category, item.duplicate_of], ['duplicates', ids[original]], `${copy} is a copy of ${original}`);
  }
  const unidentified = (await lib.api('/api/review/queue/unidentified?per_page=200')).items.map((i) => i.file_name);
  assert.equal(unidentified.filter((n) => n.startsWith('p_')).length, MANY, 'every drawn photo waits as unidentified');
});

after(async () => { await closeLibrary(lib); });

const go = (hash, on = page) => on.evaluate((h) => { location.hash = h; }, hash);
// A POST with the page's session (its CSRF token), as another tab of the same admin would send it.
async function post(p, data = {}, on = lib) {
  const { csrf_token: csrf } = await on.api('/api/auth/session');
  const res = await on.context.request.post(new URL(p, on.baseUrl).toString(),
    { headers: { 'X-CSRF-Token': csrf }, data });
  return { status: res.status(), body: await res.json().catch(() => null) };
}

// The card of `id` in `category`, opened by its address and drawn afresh (by way of the Statistics page).
async function openCard(category, id, on = page) {
  await go('#/stats', on);
  await on.getByRole('heading', { level: 1, name: 'Statistics' }).waitFor();
  await go(`#/review/${category}?item=${id}&at=1`, on);
  const card = on.locator(`[data-testid="review-card"][data-item-id="${id}"]`);
  await card.waitFor();
  return card;
}

// The review grid ("Select several") of `category` ('' for All), drawn afresh; `use()` runs on it, and the queue is
// shown one by one again afterwards whatever happened (the view chosen stays for the tab's session).
async function inGrid(category, use) {
  await go('#/stats');
  await page.getByRole('heading', { level: 1, name: 'Statistics' }).waitFor();
  await go(category ? `#/review/${category}` : '#/review');
  await page.locator(`.chip.active[data-category="${category || 'all'}"]`).waitFor();
  await page.getByTestId('grid-mode').click();
  await page.getByTestId('tile').first().waitFor();
  try {
    await use();
  } finally {
    if (await page.getByTestId('confirm-dialog').count()) await page.getByTestId('confirm-no').click();
    await page.getByRole('button', { name: 'One by one' }).click();
    await page.getByTestId('review-card').or(page.getByTestId('empty-note')).first().waitFor();
  }
}

// The keys act on the grid from its cursor tile (where the grid puts the focus when it is drawn).
const focusOnTile = () => page.waitForFunction(() => !!document.activeElement?.closest('[data-testid="tile"]'));

test('two copies of a library photo: one kept in its place, the other is compared with that kept copy, not a photo of its own', async () => {
  const [original, first, second] = [ids['a_orig.jpg'], ids['a_copy1.jpg'], ids['a_copy2.jpg']];
  const folder = path.dirname((await lib.item(original)).path);
  assert.match(folder, /^photos\//);

  // The first copy's card: l keeps it in the original's place; the original goes to the trash.
  let card = await openCard('duplicates', first);
  await card.getByTestId('keep-left').waitFor();
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('l');
  await toastStarting(page, `Kept a_copy1.jpg in ${folder}; the other copy went to the trash.`).waitFor();
  assert.equal((await lib.item(original)).location, 'trash');
  const kept = await lib.item(first);
  assert.deepEqual([kept.location, path.dirname(kept.path)], ['library', folder]);

  // The second copy's card: its original is in the trash, but the copy kept in its place stands for it. The card
  // says so and compares the photo with that copy; it is still a duplicate to decide (keep left, right or both).
  card = await openCard('duplicates', second);
  const reason = await card.getByTestId('reason').innerText();
  assert.ok(reason.includes(`Item ${original} is in the trash now, and item ${first}, a copy of it a reviewer kept, ` +
    `stands for it (in ${folder}, as a_copy1.jpg): this photo is compared with that copy.`), reason);
  assert.ok(!reason.includes('a photo of its own'), reason);
  assert.ok(!reason.startsWith('Its original'), reason);
  const table = card.getByTestId('compare-table');
  await table.waitFor();
  assert.deepEqual(await table.locator('tr[data-attribute="File"] td').allInnerTexts(), ['a_copy2.jpg', 'a_copy1.jpg']);
  assert.equal(await table.locator('tr[data-attribute="Folder"] td').nth(1).innerText(), folder);
  assert.equal(await card.getByTestId('existing-image').getAttribute('aria-label'),
    `Right: the photo it duplicates, item ${first}, in ${folder}`);
  for (const testid of ['keep-left', 'keep-right', 'keep-both']) assert.equal(await card.getByTestId(testid).count(), 1, testid);
  for (const testid of ['approve', 'keep', 'reject']) {
    assert.equal(await card.getByTestId(testid).count(), 0, `${testid} offered for a copy of a photo in the library`);
  }
  const detail = await lib.api(`/api/review/${second}`);
  assert.equal(detail.duplicate_of.id, first);
  assert.deepEqual(detail.duplicate_of.replaced, { id: original, where: 'trash' });
  assert.equal(detail.original_gone ?? null, null);
  await screenshot(page, 'copies-stands-for');

  // Approving it alone would file the same picture twice: the server refuses (another tab, a script).
  const refused = await post(`/api/review/${second}/approve`, { person: 'Ada' });
  assert.equal(refused.status, 409, JSON.stringify(refused.body));
  assert.match(refused.body.message, /is a copy of /);
  assert.equal((await lib.item(second)).location, 'review');

  // Kept the existing one (r): the copy in the library stays, this one goes to the trash.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('r');
  await toastStarting(page, 'Kept the existing copy; a_copy2.jpg went to the trash.').waitFor();
  assert.equal((await lib.item(second)).location, 'trash');
  assert.deepEqual([(await lib.item(first)).location, (await lib.item(first)).path], ['library', kept.path]);
});

test('Ctrl+A across pages, then "Delete selected": the dialog names five and counts the rest of every page', async () => {
  const waiting = (await lib.api('/api/review/queue/unidentified?per_page=200')).items;
  const total = waiting.length;
  const trashed = (await lib.api('/api/items?location=trash&per_page=1')).total;
  await inGrid('unidentified', async () => {
    const tiles = page.getByTestId('tile');
    const shown = await tiles.count();
    assert.ok(shown < total, `one page shows ${shown} of the ${total} photos`);
    await page.getByText(`page 1 of ${Math.ceil(total / shown)}`).waitFor();
    await focusOnTile();
    await page.keyboard.press('Control+a');
    await page.getByTestId('selected-count').filter({ hasText: new RegExp(`^${total} selected$`) }).waitFor();
    await page.getByTestId('bulk-reject').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    assert.equal(await dialog.locator('h2').innerText(), `Delete ${total} photos?`);
    // The first five photos of the page by name, then how many more: five and the rest are every photo selected.
    const said = await dialog.locator('p').first().innerText();
    const m = said.match(/^(\d+) photos will move to the trash: (.+), and (\d+) more\.$/);
    assert.ok(m, said);
    const names = m[2].split(', ');
    assert.deepEqual(names, waiting.slice(0, 5).map((i) => i.file_name), said);
    assert.equal(Number(m[1]), total, said);
    assert.equal(names.length + Number(m[3]), total, `"and ${m[3]} more" leaves out photos selected: ${said}`);
    await screenshot(page, 'copies-delete-across-pages');
    // Cancel: nothing moves, and the selection stays.
    await page.getByTestId('confirm-no').click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('selected-count').innerText(), `${total} selected`);
    assert.equal((await lib.api('/api/items?location=trash&per_page=1')).total, trashed);
    assert.equal((await lib.api('/api/review/queue/unidentified?per_page=200')).items.length, total);
  });
});

test('Ctrl+A on "All" with a duplicate on another page only: no "Approve selected", and the note on duplicates shows', async () => {
  const queue = (await lib.api('/api/review/queue?per_page=200')).items;
  const copies = queue.filter((i) => ['duplicates', 'near_duplicates'].includes(i.category)).map((i) => i.id);
  assert.ok(copies.includes(ids['b_copy.jpg']), 'b_copy.jpg waits as a duplicate');
  await inGrid('', async () => {
    const tiles = page.getByTestId('tile');
    const onPage = await tiles.evaluateAll((els) => els.map((t) => ({ id: Number(t.dataset.itemId), category: t.dataset.category })));
    assert.ok(onPage.length < queue.length, `one page shows ${onPage.length} of the ${queue.length} photos`);
    assert.deepEqual(onPage.filter((t) => ['duplicates', 'near_duplicates'].includes(t.category)), [],
      'the page shown holds no duplicate');
    const approve = page.getByTestId('bulk-approve');
    const note = page.getByTestId('bulk-duplicates-note');
    // A photo of this page selected: it can be approved.
    await focusOnTile();
    await page.keyboard.press(' ');
    await page.getByTestId('selected-count').filter({ hasText: /^1 selected$/ }).waitFor();
    assert.equal(await approve.isVisible(), true, 'Approve selected is offered for a photo that is no duplicate');
    assert.equal(await note.isVisible(), false);

    // Every photo of every page: the duplicates among them (all on the next page) cannot be approved here.
    await page.keyboard.press('Control+a');
    await page.getByTestId('selected-count').filter({ hasText: new RegExp(`^${queue.length} selected$`) }).waitFor();
    await screenshot(page, 'copies-select-all-duplicates');
    assert.equal(await approve.isVisible(), false, 'Approve selected is offered with duplicates selected on page 2');
    for (const testid of ['bulk-keep', 'bulk-name-faces', 'bulk-person-select']) {
      assert.equal(await page.getByTestId(testid).isVisible(), false, `${testid} is offered with duplicates selected`);
    }
    assert.equal(await note.isVisible(), true, 'the note on duplicates is not shown');
    const n = copies.length;
    assert.ok((await note.innerText()).startsWith(`${n === 1 ? '1 selected photo is a duplicate' : `${n} selected ` +
      'photos are duplicates'}: approving or keeping ${n === 1 ? 'it' : 'them'} here could file a second copy of one ` +
      'picture.'), await note.innerText());
    assert.equal(await page.getByTestId('bulk-reject').isVisible(), true, 'Delete still works on duplicates');

    // Esc lets go of the selection: with nothing selected, approving is offered again.
    await page.keyboard.press('Escape');
    await page.getByTestId('selected-count').filter({ hasText: /^0 selected$/ }).waitFor();
    assert.equal(await approve.isVisible(), true);
    assert.equal(await note.isVisible(), false);
  });
  for (const id of copies) assert.equal((await lib.item(id)).location, 'review');
});

test('a byte copy of a group photo kept in its original\'s place keeps the names and marks given to its faces', async () => {
  // A library of its own, with face analysis on: the group photo waits in review/multiple_faces.
  const own = await openLibrary({
    configure: (config) => { config.analysis.faces = true; },
    persons: [['ada', 'obama.jpg']],
    photos: [['vladmandic_sample1.jpg', 'group.jpg']],
  });
  try {
    const p = own.page;
    await logIn(p);
    const [group] = (await own.api('/api/review/queue/multiple_faces')).items;
    assert.equal(group.file_name, 'group.jpg');
    const faces = (await own.api(`/api/review/${group.id}`)).faces;
    assert.ok(faces.length >= 3, `group.jpg has ${faces.length} faces`);

    // Face 1 named as ada, face 2 marked as nobody tracked; the others stay open, so the photo waits on.
    let card = await openCard('multiple_faces', group.id, p);
    await card.getByTestId('face-box').first().click();
    await p.waitForFunction(() => document.activeElement?.dataset.testid === 'face-0-select');
    await p.keyboard.type('ada');
    await p.keyboard.press('1');
    assert.equal(await p.getByTestId('face-0-select').getAttribute('data-value'), 'ada');
    await p.keyboard.press('Enter');
    await toastStarting(p, 'Face 1 of group.jpg is ada').waitFor();
    await p.getByTestId('face-row').nth(0).getByTestId('face-status').filter({ hasText: /^ada$/ }).waitFor();
    await p.getByTestId('face-row').nth(1).getByTestId('face-untracked').click();
    await toastStarting(p, 'Face 2 of group.jpg: not tracked.').waitFor();
    const named = (await own.api(`/api/review/${group.id}`)).faces;
    assert.deepEqual([named[0].named_as, named[1].untracked], ['ada', true]);
    assert.equal((await own.item(group.id)).location, 'review');

    // An exact copy comes in: it waits in review/duplicates, a copy of the group photo.
    const inbox = fs.mkdtempSync(path.join(own.tmp, 'copy-'));
    fs.copyFileSync(path.join(fixtures, 'vladmandic_sample1.jpg'), path.join(inbox, 'group_copy.jpg'));
    own.run(['ingest', '--source', 'browser-test', inbox]);
    const [copy] = (await own.api('/api/review/queue/duplicates')).items;
    assert.equal(copy.file_name, 'group_copy.jpg');
    assert.equal((await own.item(copy.id)).duplicate_of, group.id);

    // Kept in the original's place: the copy waits in review/multiple_faces, the original is in the trash.
    card = await openCard('duplicates', copy.id, p);
    await card.getByTestId('keep-left').click();
    await toastStarting(p, 'Kept group_copy.jpg in review/multiple_faces; the other copy went to the trash.').waitFor();
    assert.equal((await own.item(group.id)).location, 'trash');
    assert.deepEqual([(await own.item(copy.id)).location, (await own.item(copy.id)).category], ['review', 'multiple_faces']);

    // Its card says what the reviewer said of the faces: face 1 is ada, face 2 not tracked, the rest still to name.
    card = await openCard('multiple_faces', copy.id, p);
    const rows = card.getByTestId('face-row');
    await rows.first().waitFor();
    await screenshot(p, 'copies-group-copy-faces');
    assert.equal(await rows.nth(0).getByTestId('face-status').innerText(), 'ada', 'face 1 lost its name');
    assert.equal(await card.getByTestId('face-box').nth(0).evaluate((b) => b.classList.contains('named')), true);
    assert.equal(await rows.nth(1).getByTestId('face-status').innerText(), 'not tracked', 'face 2 lost its mark');
    for (let i = 2; i < faces.length; i++) {
      assert.equal(await rows.nth(i).getByTestId('face-status').innerText(), 'not named yet', `face ${i + 1}`);
    }
    const kept = (await own.api(`/api/review/${copy.id}`)).faces;
    assert.equal(kept[0].named_as, 'ada');
    assert.equal(kept[1].untracked, true);
    assert.ok(kept.slice(2).every((f) => !f.named_as && !f.untracked), JSON.stringify(kept));
  } finally { await closeLibrary(own); }
});

test('a card left open while another tab kept another copy in its photo\'s place: its keep is refused, nothing moves', async () => {
  // A second copy of b_orig (waiting in review) comes in; this tab opens it, compared with b_orig.
  const more = fs.mkdtempSync(path.join(lib.tmp, 'more-'));
  fs.copyFileSync(path.join(fixtures, 'skimage_astronaut.jpg'), path.join(more, 'b_copy2.jpg'));
  lib.run(['ingest', '--source', 'browser-test', more]);
  ids['b_copy2.jpg'] = (await lib.api('/api/items?per_page=200')).items.find((i) => i.file_name === 'b_copy2.jpg').id;
  const [original, other, mine] = [ids['b_orig.jpg'], ids['b_copy.jpg'], ids['b_copy2.jpg']];
  const card = await openCard('duplicates', mine);
  await card.getByTestId('keep-left').waitFor();
  assert.equal(await card.getByTestId('existing-image').getAttribute('aria-label').then((l) => l.includes(`item ${original},`)), true);

  // Another tab keeps the other copy in b_orig's place (b_orig goes to the trash).
  const kept = await post(`/api/review/${other}/duplicate`, { keep: 'new', against: original });
  assert.equal(kept.status, 200, JSON.stringify(kept.body));
  const place = (await lib.item(other)).path;

  // This tab's card still shows b_orig: "keep left" was decided against it, and is refused, naming the copy there now.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('l');
  const said = toastStarting(page, `Nothing was changed: b_copy2.jpg (item ${mine}) was compared with item ${original}`);
  await said.waitFor();
  assert.ok((await said.innerText()).includes(`b_copy.jpg (item ${other}`), await said.innerText());
  assert.equal((await lib.item(other)).path, place, 'the copy the other tab kept was replaced');
  assert.equal((await lib.item(other)).location, 'review');
  assert.equal((await lib.item(mine)).location, 'review');
  // Drawn again, the card compares with the copy in place now.
  assert.equal((await lib.api(`/api/review/${mine}`)).duplicate_of.id, other);
});

test('grid: after a bulk action the cursor stands on the photo after the block acted on, not as many photos further', async () => {
  await inGrid('unidentified', async () => {
    const tiles = page.getByTestId('tile');
    const before = await tiles.evaluateAll((els) => els.map((t) => Number(t.dataset.itemId)));
    assert.ok(before.length >= 8, `${before.length} photos on the page`);
    await focusOnTile();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press(' ');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.getByTestId('selected-count').filter({ hasText: /^3 selected$/ }).waitFor();
    const kept = before.slice(2, 5);
    await page.getByTestId('bulk-keep').click();
    await toastStarting(page, '3 photos kept without a person').waitFor();
    await page.waitForFunction((gone) => ![...document.querySelectorAll('[data-testid="tile"]')]
      .some((t) => gone.includes(Number(t.dataset.itemId))), kept);
    const cursor = page.locator('[data-testid="tile"].cursor');
    assert.equal(Number(await cursor.getAttribute('data-item-id')), before[5], 'the cursor is on the photo after the three');
    await screenshot(page, 'copies-cursor-after-bulk');
    await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
    await toastStarting(page, 'Undone').waitFor();
    for (const id of kept) assert.equal((await lib.item(id)).location, 'review', `item ${id} waits again`);
  });
});
