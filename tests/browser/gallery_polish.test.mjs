// The gallery's finer points in headless Chromium against a real `triage serve`, on a small library (four photos, one
// unreadable file, a burst, a duplicate and closed eyes written into the catalog): a shared link read strictly, the
// empty states, the photo view as a dialog (focus, Tab, what it says about the photo), tiles that show the measure
// sorted by and explain their badges, and the month timeline's overflow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, screenshot, fixtures } from './harness.mjs';

let lib; let page;
const ids = {};   // file name -> item id

// Written straight into the catalog: coffee and astronaut a burst of two (coffee leads), obama2 a duplicate that
// obama leads, obama's eyes closed, a capture date, a camera and a person on obama.
function seed(library) {
  const sql = `
BEGIN;
INSERT INTO item_groups (item_id, kind, group_id, is_lead, rank_score, why)
  SELECT id, 'burst', 900, original_name = 'coffee.jpg', 1, 'sharper' FROM items WHERE original_name IN ('coffee.jpg', 'astronaut.jpg');
INSERT INTO item_groups (item_id, kind, group_id, is_lead, rank_score, why)
  SELECT id, 'duplicate', 901, original_name = 'obama.jpg', 1, 'larger' FROM items WHERE original_name IN ('obama.jpg', 'obama2.jpg');
UPDATE gallery_facts SET eyes_closed = 1, taken_at_ms = 1715000000000 WHERE item_id = (SELECT id FROM items WHERE original_name = 'obama.jpg');
UPDATE items SET camera = 'Test Camera X1', person = 'barack' WHERE original_name = 'obama.jpg';
COMMIT;`;
  execFileSync('sqlite3', [path.join(library, '.triage/catalog.db')], { input: sql });
}

before(async () => {
  lib = await openLibrary({
    photos: [['skimage_coffee.jpg', 'coffee.jpg'], ['skimage_astronaut.jpg', 'astronaut.jpg'], ['obama.jpg', 'obama.jpg'],
      ['obama2.jpg', 'obama2.jpg']],
    // A download that broke off: the first 3000 bytes of a JPEG.
    extra: (inbox) => fs.writeFileSync(path.join(inbox, 'broken.jpg'),
      fs.readFileSync(path.join(fixtures, 'biden2.jpg')).subarray(0, 3000)),
    prepare: seed,
  });
  page = lib.page;
  await logIn(page);
  for (const item of (await lib.api('/api/items?per_page=200')).items) ids[item.file_name] = item.id;
});

after(async () => { await closeLibrary(lib); });

const go = async (hash) => {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.getByRole('heading', { level: 1, name: 'Gallery' }).waitFor();
};
const totalShown = async () => (await page.getByTestId('gallery-total').innerText()).split(' ')[0];
const ALL = 5;

test('gallery link: a score that is not a plain decimal is left out and said, never applied behind an empty box', async () => {
  for (const bad of ['0x5', '%20%205', '5e0', '1_0']) {
    await page.goto(`/#/gallery?min_score=${bad}&category=others`);
    await page.getByTestId('gallery-ignored').waitFor();
    assert.equal(await page.getByTestId('gallery-ignored').innerText(),
      `Left out of the link, as no filter reads it: min_score=${decodeURIComponent(bad)}.`.replace(/\s+/g, ' '));
    assert.equal(await page.locator('input[name="min_score"]').inputValue(), '', bad);
    assert.equal(new URL(page.url()).hash, '#/gallery?category=others', `${bad}: the address says what is in force`);
  }
  // A plain decimal is kept, shown and applied.
  await page.goto('/#/gallery?min_score=0.5');
  await page.getByTestId('gallery-total').waitFor();
  assert.equal(await page.locator('input[name="min_score"]').inputValue(), '0.5');
  assert.equal(await page.getByTestId('gallery-ignored').count(), 0);
});

test('gallery link: switches take yes/1 and no/0 and the address is made plain; other words and repeats are said', async () => {
  await page.goto('/#/gallery?hide_closed_eyes=yes&best_of_burst=1&hide_duplicates=no');
  await page.getByTestId('gallery-total').waitFor();
  await page.waitForFunction(() => location.hash === '#/gallery?hide_closed_eyes=true&best_of_burst=true');
  assert.equal(await page.getByLabel('Hide closed eyes').isChecked(), true);
  assert.equal(await page.getByLabel('Best of burst only').isChecked(), true);
  assert.equal(await page.getByLabel('Hide duplicates').isChecked(), false);
  assert.equal(await page.getByTestId('gallery-ignored').count(), 0);
  const want = (await lib.api('/api/gallery?hide_closed_eyes=true&best_of_burst=true&limit=1')).total;
  assert.ok(want < ALL);
  assert.equal(await totalShown(), String(want));

  await page.goto('/#/gallery?hide_closed_eyes=maybe&person=obama&person=biden&category=others');
  await page.getByTestId('gallery-ignored').waitFor();
  assert.equal(await page.getByTestId('gallery-ignored').innerText(),
    'Left out of the link, as no filter reads it: hide_closed_eyes=maybe. ' +
    'Left out of the link, as each filter takes one value: person=obama, person=biden.');
  assert.equal(await page.locator('input[name="person"]').inputValue(), '');
  assert.equal(await page.getByLabel('Hide closed eyes').isChecked(), false);
  assert.equal(new URL(page.url()).hash, '#/gallery?category=others');
});

test('gallery: Score ≥ above Score ≤ is explained where the photos would be', async () => {
  await page.goto('/#/gallery?min_score=7&max_score=5');
  const empty = page.getByTestId('gallery-empty');
  await empty.waitFor();
  assert.equal(await empty.innerText(),
    'No photos match: Score ≥ 7 is above Score ≤ 5, so no score is both; swap them to see that range.');
  await page.goto('/#/gallery?person=nobody_at_all');
  await empty.filter({ hasText: 'No photos match these filters.' }).waitFor();
});

test('gallery: an empty library says so and how photos get in, not that nothing matches', async () => {
  const empty = await openLibrary({});
  try {
    await logIn(empty.page);
    await empty.page.goto('/#/gallery');
    const note = empty.page.getByTestId('gallery-empty');
    await note.waitFor();
    const text = await note.innerText();
    assert.match(text, /^The library is empty/);
    assert.match(text, /triage ingest/);
    assert.match(text, /inbox\//);
    assert.doesNotMatch(text, /match/);
    await screenshot(empty.page, 'gallery-empty');
  } finally { await closeLibrary(empty); }
});
