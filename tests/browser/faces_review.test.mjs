// Faces named one by one in a group photo, and the searchable person picker, in headless Chromium against a real
// `triage serve` with face analysis on (the committed group photo tests/fixtures/faces/vladmandic_sample1.jpg).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, currentCardId, screenshot } from './harness.mjs';

let lib; let page;
const ids = {};

before(async () => {
  lib = await openLibrary({
    configure: (config) => { config.analysis.faces = true; },
    // Enrolled from photos the test never reviews, so nothing below is sorted automatically.
    persons: [['ada', 'obama.jpg'], ['grace', 'Tom_Cruise_avp_2014_4.jpg']],
    photos: [['vladmandic_sample1.jpg', 'group.jpg'], ['skimage_astronaut.jpg', 'single.jpg']],
    // More names for the picker to search among (persons without reference faces yet).
    prepare: (library) => execFileSync('sqlite3', [path.join(library, '.triage/catalog.db')],
      { input: "INSERT INTO persons (name, created_at) VALUES ('gary', 0), ('sam', 0), ('adele', 0);" }),
  });
  page = lib.page;
  await logIn(page);
  for (const item of (await lib.api('/api/items?per_page=200')).items) ids[item.file_name] = item.id;
});

after(async () => { await closeLibrary(lib); });

// axe-core's serious and critical findings on the page as it is.
async function seriousViolations() {
  await page.evaluate(fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8'));
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
    .map((v) => `${v.id}: ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

const toastSays = (text) => page.getByTestId('toast-text').filter({ hasText: text }).waitFor();

test('a group photo: each face is named or dismissed on its own, then the photo goes where the policy sends it', async () => {
  const id = ids['group.jpg'];
  const start = await lib.item(id);
  assert.equal(start.category, 'multiple_faces');
  const faces = (await lib.api(`/api/review/${id}`)).faces;
  assert.ok(faces.length >= 2, `${faces.length} faces`);
  await page.evaluate(() => { location.hash = '#/review/multiple_faces'; });
  assert.equal(await currentCardId(page), id);
  const boxes = page.getByTestId('face-box');
  await boxes.first().waitFor();
  assert.equal(await boxes.count(), faces.length);
  // Each box sits on its face: in percent of the image, within the photo.
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-testid="face-stage"] img');
    return img && img.complete && img.naturalWidth > 0;
  });
  const inside = await page.evaluate(() => {
    const img = document.querySelector('[data-testid="face-stage"] img').getBoundingClientRect();
    return [...document.querySelectorAll('[data-testid="face-box"]')].every((b) => {
      const r = b.getBoundingClientRect();
      return r.width > 4 && r.left >= img.left - 1 && r.right <= img.right + 1 && r.top >= img.top - 1 &&
        r.bottom <= img.bottom + 1;
    });
  });
  assert.ok(inside, `every face box lies within the photo: ${await page.evaluate(() => JSON.stringify([
    document.querySelector('[data-testid="face-stage"] img').getBoundingClientRect(),
    ...[...document.querySelectorAll('[data-testid="face-box"]')].map((b) => b.getBoundingClientRect())]))}`);
  const rows = page.getByTestId('face-row');
  assert.equal(await rows.count(), faces.length);
  // Each face's hint says in words whether its nearest person is a match: a bare "obama? 0.93" read as 93% sure.
  const hints = await page.getByTestId('face-hint').allInnerTexts();
  const expected = faces.filter((f) => (f.nearest || []).length).map((f) => (f.nearest[0].within_match_distance
    ? `likely ${f.nearest[0].person} · distance ${f.nearest[0].distance.toFixed(2)}`
    : `no match · nearest ${f.nearest[0].person} at ${f.nearest[0].distance.toFixed(2)}`));
  assert.deepEqual(hints, expected);
  await page.waitForLoadState('networkidle');
  for (const size of [{ width: 1440, height: 900 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(size);
    await boxes.first().waitFor();
    await screenshot(page, 'review-faces');
    assert.deepEqual(await seriousViolations(), [], `accessibility at ${size.width} px`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // Face 1: clicking its box takes the keys to its picker; type, a number key chooses, Enter names it.
  await boxes.nth(0).click();
  const picker = page.getByTestId('face-0-select');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'face-0-select');
  await page.keyboard.type('ad');
  const options = page.getByTestId('face-0-options').getByTestId('picker-option');
  assert.deepEqual(await options.evaluateAll((els) => els.map((e) => e.dataset.name)), ['ada', 'adele']);
  await page.keyboard.press('d');   // a shortcut key is only a letter here: nothing is deleted
  await page.keyboard.press('Backspace');
  await page.keyboard.press('1');
  assert.equal(await picker.getAttribute('data-value'), 'ada');
  await page.keyboard.press('Enter');
  // Named, the face teaches ada's recognition (review.learn_from_approvals): the toast says so.
  await toastSays(`Face 1 of group.jpg is ada, and one of ada's reference faces now (it helps recognise them in new ` +
    `photos). ${faces.length - 1} face${faces.length === 2 ? '' : 's'} to go.`);
  assert.equal((await lib.item(id)).location, 'review');
  await rows.nth(0).getByTestId('face-status').filter({ hasText: 'ada' }).waitFor();
  assert.equal(await boxes.nth(0).evaluate((b) => b.classList.contains('named')), true);
  // The next face to name has the keys now.
  await page.waitForFunction(() => document.activeElement && document.activeElement.dataset.testid === 'face-1-select');
  // Face 2 cannot be ada too (one person is not in a photo twice): the toast says which face is ada, nothing changes.
  await page.keyboard.type('ada');
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  await toastSays('Nothing was changed: face 1 of group.jpg is ada already (named on this card): one person cannot be');
  assert.equal((await lib.api(`/api/review/${id}`)).faces[1].named_as, null);
  await rows.nth(1).getByTestId('face-status').filter({ hasText: 'not named yet' }).waitFor();

  // A name picked for the last face stays in its box while another face is marked as not tracked (the card is drawn
  // anew after each face).
  assert.ok(faces.length >= 3, `group.jpg has ${faces.length} faces`);
  const last = faces.length - 1;
  // Typed in part, showing one enrolled person, Enter takes that person: it never adds "adel" beside adele.
  const lastPicker = page.getByTestId(`face-${last}-select`);
  await lastPicker.click();
  await page.keyboard.type('adel');
  await page.keyboard.press('Enter');
  assert.equal(await lastPicker.getAttribute('data-value'), 'adele');
  assert.equal(await lastPicker.inputValue(), 'adele');
  assert.equal((await lib.api('/api/persons')).persons.some((p) => p.name === 'adel'), false, 'nobody was added');
  assert.equal((await lib.api(`/api/review/${id}`)).faces[last].named_as, null, 'the first Enter only chose');
  await page.getByTestId('face-row').nth(1).getByTestId('face-untracked').click();
  await toastSays('Face 2 of group.jpg: not tracked.');
  await rows.nth(1).getByTestId('face-status').filter({ hasText: 'not tracked' }).waitFor();
  assert.equal(await page.getByTestId(`face-${last}-select`).inputValue(), 'adele');
  assert.equal((await lib.api(`/api/review/${id}`)).faces[last].named_as, null, 'kept in the box, not named');
  // Marked already, its button changes nothing more (pressed again it audited the same mark twice).
  const audited = (await lib.api(`/api/audit?item_id=${id}`)).entries.length;
  assert.equal(await rows.nth(1).getByTestId('face-untracked').getAttribute('aria-pressed'), 'true');
  await rows.nth(1).getByTestId('face-untracked').click();
  await toastSays('Face 2 is marked as not tracked already');
  assert.equal((await lib.api(`/api/audit?item_id=${id}`)).entries.length, audited);
  // Ctrl-Z right after a mark takes it back, also with the focus in an empty name box nobody typed in (it has nothing
  // of its own to undo, and the key did nothing there).
  const empty = page.getByTestId('face-1-select');
  assert.equal(await empty.inputValue(), '');
  await empty.focus();
  assert.equal(await empty.evaluate((el) => el === document.activeElement), true);
  await page.keyboard.press('Control+z');
  await toastSays('Undone: face');
  await rows.nth(1).getByTestId('face-status').filter({ hasText: 'not named yet' }).waitFor();
  assert.equal((await lib.api(`/api/review/${id}`)).faces[1].untracked, false);
  await page.getByTestId('face-row').nth(1).getByTestId('face-untracked').click();
  await toastSays('Face 2 of group.jpg: not tracked.');
  await rows.nth(1).getByTestId('face-status').filter({ hasText: 'not tracked' }).waitFor();

  // The others are bystanders; the last one decided files the photo: one tracked, wanted person -> faces/ada/.
  for (let i = 2; i < faces.length; i++) {
    await page.getByTestId('face-row').nth(i).getByTestId('face-untracked').click();
    if (i < faces.length - 1) await toastSays(`Face ${i + 1} of group.jpg: not tracked.`);
  }
  await toastSays('Every face is named: it went to faces/ada.');
  const filed = await lib.item(id);
  assert.deepEqual([filed.location, filed.person, path.dirname(filed.path)], ['library', 'ada', 'faces/ada']);
  assert.ok(fs.existsSync(path.join(lib.library, filed.path)));
  assert.ok(!fs.existsSync(path.join(lib.library, start.path)));
  const refs = (await lib.api('/api/persons/ada/references')).references;
  assert.ok(refs.some((r) => r.source === `item:${id}:face:0` && r.box), 'the named face joined ada\'s references');

  // Undo takes the last decision back: the photo is in review again with that face open.
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastSays('Undone: face');
  const back = await lib.item(id);
  assert.deepEqual([back.location, back.path], ['review', start.path]);
  assert.ok(fs.existsSync(path.join(lib.library, start.path)));
  const after = (await lib.api(`/api/review/${id}`)).faces;
  assert.equal(after[0].named_as, 'ada');
  assert.equal(after[faces.length - 1].untracked, false);
});

test('the person picker: recent names first with their faces, typing filters, a number key chooses, Enter approves', async () => {
  const id = ids['single.jpg'];
  await page.evaluate(() => { location.hash = '#/review/unidentified'; });
  assert.equal(await currentCardId(page), id);
  const picker = page.getByTestId('person-select');
  assert.equal(await picker.inputValue(), '', 'no suggestion is pre-selected');
  assert.equal(await picker.getAttribute('data-value'), '');
  await picker.focus();
  const options = page.getByTestId('person-options').getByTestId('picker-option');
  await options.first().waitFor();
  // ada was named last (the group photo above), so she leads, shown with the face learnt from that photo.
  assert.equal(await options.first().getAttribute('data-name'), 'ada');
  assert.equal(await options.first().locator('.face-crop img').count(), 1);
  assert.equal(await options.count(), 5);
  await screenshot(page, 'review-picker');
  assert.deepEqual(await seriousViolations(), [], 'accessibility with the picker open');
  // With more names than the list shows at once, it scrolls, and Chromium makes a scrolling box a Tab stop: Tab still
  // moves on to the "new person" field, not into the list that closes as the field loses the focus.
  const list = page.getByTestId('person-options');
  await list.evaluate((ul) => { ul.style.maxHeight = '60px'; });
  assert.ok(await list.evaluate((ul) => ul.scrollHeight > ul.clientHeight), 'the list scrolls');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'person-new');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'person-select');
  await list.evaluate((ul) => { ul.style.maxHeight = ''; });
  await options.first().waitFor();
  await page.keyboard.type('g');
  assert.deepEqual(await options.evaluateAll((els) => els.map((e) => e.dataset.name)), ['gary', 'grace']);
  await page.keyboard.type('r');
  await page.keyboard.press('2');   // only grace is left: 2 chooses nothing
  assert.equal(await picker.getAttribute('data-value'), '');
  await page.keyboard.press('1');
  assert.equal(await picker.getAttribute('data-value'), 'grace');
  assert.equal(await picker.inputValue(), 'grace');
  for (const key of ['a', 'k', 's']) await page.keyboard.press(key);
  assert.equal((await lib.item(id)).location, 'review', 'shortcut keys do not act while the picker has focus');
  await page.keyboard.press('Escape');   // leaves, with grace still chosen
  assert.equal(await picker.inputValue(), 'grace');
  await picker.focus();
  await page.keyboard.press('Enter');
  await toastSays('Sorted single.jpg under grace (faces/grace/).');
  const item = await lib.item(id);
  assert.deepEqual([item.location, path.dirname(item.path)], ['library', 'faces/grace']);
  assert.ok(fs.existsSync(path.join(lib.library, item.path)));
});

test('a group photo: a face is named as somebody new, typed on its row; the person is added first', async () => {
  const id = ids['group.jpg'];
  const faces = (await lib.api(`/api/review/${id}`)).faces;
  const open = faces.find((f) => !f.named_as && !f.untracked);
  assert.ok(open, 'the undo in the first test left a face to name');
  await page.evaluate(() => { location.hash = '#/review/multiple_faces'; });
  assert.equal(await currentCardId(page), id);
  const row = page.getByTestId('face-row').nth(open.index);
  await row.getByTestId(`face-${open.index}-select`).fill('Zoë Lin');
  await row.getByTestId('face-name').click();
  // Shown as typed, and said to be new (a name typed in part would have taken an enrolled person instead).
  await toastSays('is Zoë Lin (added as a new person), and one of Zoë Lin\'s reference faces now');
  // Two tracked persons in one photo: it stays for the reviewer, and the toast says what is left to do.
  await toastSays('Every face is named; it stays in review/multiple_faces for you to decide: approve it as one of ada, ' +
    'Zoë Lin (choose the name under "This is"), or keep it without a person.');
  const persons = (await lib.api('/api/persons')).persons.map((p) => p.name);
  assert.ok(persons.includes('zoe_lin'), persons.join(', '));
  const named = (await lib.api(`/api/review/${id}`)).faces;
  assert.equal(named[open.index].named_as, 'zoe_lin');

  // Undo takes back the naming and the person added for it.
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastSays('Undone: face');
  assert.ok(!(await lib.api(`/api/review/${id}`)).faces[open.index].named_as);
  const left = (await lib.api('/api/persons')).persons.map((p) => p.name);
  assert.ok(!left.includes('zoe_lin'), `the person added for the face is gone: ${left.join(', ')}`);

  // Enrolled meanwhile (as another admin would), then typed as a person would write the name: found, not added again.
  execFileSync('sqlite3', [path.join(lib.library, '.triage/catalog.db')],
    { input: "INSERT INTO persons (name, created_at) VALUES ('zoe_lin', 0);" });
  await page.evaluate(() => { location.hash = '#/review'; });
  await page.getByTestId('review-card').or(page.getByText('Nothing to review')).first().waitFor();
  await page.evaluate(() => { location.hash = '#/review/multiple_faces'; });
  assert.equal(await currentCardId(page), id);
  let adds = 0;
  const count = (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/persons')) adds++; };
  page.on('request', count);
  try {
    const again = page.getByTestId('face-row').nth(open.index);
    await again.getByTestId(`face-${open.index}-select`).fill('ZOË LIN');
    await again.getByTestId(`face-${open.index}-select`).press('Enter');
    await toastSays('is zoe_lin, and one of zoe_lin\'s reference faces now');   // enrolled without a name to show
  } finally { page.off('request', count); }
  assert.equal(adds, 0, 'no second person');
  assert.equal((await lib.api(`/api/review/${id}`)).faces[open.index].named_as, 'zoe_lin');

  // On another face's row, the person of this one is not listed; typed, the list says where she is, and Enter with
  // her whole name refuses instead of adding a second "Zoë Lin" (a part of it could still be somebody new).
  const next = (await lib.api(`/api/review/${id}`)).faces.find((f) => f.index !== open.index);
  const other = page.getByTestId('face-row').nth(next.index);
  const box = other.getByTestId(`face-${next.index}-select`);
  await box.fill('zoe');
  await other.getByTestId(`face-${next.index}-options`)
    .filter({ hasText: `zoe_lin is face ${open.index + 1} already. Enter adds “zoe” as a new person` }).waitFor();
  page.on('request', count);
  try {
    // Enter on that part of her name asks first (a second Enter would add “zoe”).
    await box.press('Enter');
    await toastSays(`zoe_lin is face ${open.index + 1} already. Press Enter again to add “zoe” as a new person`);
    await box.fill('Zoe Lin');
    await box.press('Enter');
    await toastSays(`Nothing was changed: face ${open.index + 1} of group.jpg is zoe_lin already`);
  } finally { page.off('request', count); }
  assert.equal(adds, 0, 'no second person');
  assert.equal((await lib.api(`/api/review/${id}`)).faces[next.index].named_as, next.named_as, 'nothing changed');

  // The audit log says it in words, with the person as written (it read "admin name-face item 4 (group.jpg)").
  await page.evaluate(() => { location.hash = '#/audit'; });
  await page.getByTestId('audit-row')
    .filter({ hasText: new RegExp(`named face ${open.index + 1} of item ${id} \\(group\\.jpg\\) as zoe_lin`) }).first().waitFor();
  assert.equal(await page.getByTestId('audit-row').filter({ hasText: 'name-face' }).count(), 0);
});

test('persons enrolled from files show the face cut out of their photo, in the list and in the picker', async () => {
  await page.evaluate(() => { location.hash = '#/persons'; });
  const refs = page.getByTestId('references-ada');
  const picture = refs.locator('[data-testid="reference"] img');
  await picture.first().waitFor();
  assert.equal(await refs.locator('.face-crop.none').count(), 0, 'no grey box in place of the face');
  assert.match(await picture.first().getAttribute('src'), /^\/api\/references\/\d+\/crop$/);
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-testid="references-ada"] [data-testid="reference"] img');
    return img && img.complete && img.naturalWidth > 0;
  });
  const size = await picture.first().evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  assert.ok(size[0] >= 100 && size[0] <= 320 && size[1] <= 320, `a face-sized picture: ${size}`);
  await screenshot(page, 'persons-enrolled-from-files');
  // The person's avatar in the API is that picture too.
  const ada = (await lib.api('/api/persons')).persons.find((p) => p.name === 'ada');
  assert.match(ada.avatar.crop_url, /^\/api\/references\/\d+\/crop$/);
});
