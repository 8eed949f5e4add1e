// A person's name as it was typed, in headless Chromium against a real `triage serve`: enrolled on the Persons page
// as "Bernadette Rostenkowski", the person is shown so there and in the review picker, while their folder stays
// faces/bernadette_rostenkowski; an admin may rewrite capitals and spaces, never make another person of them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, screenshot, currentCardId, toastStarting, eventually } from './harness.mjs';

let lib; let page;

before(async () => {
  lib = await openLibrary({ photos: [['obama.jpg', 'a.jpg'], ['biden.jpg', 'b.jpg']] });
  ({ page } = lib);
});

after(async () => { await closeLibrary(lib); });

const personCard = (name) => page.locator(`[data-testid="person"][data-name="${name}"]`);

test('a person is shown as typed, renamed only in how it is written, and picked by that name', async () => {
  await logIn(page);
  await page.goto('/#/persons');
  await page.getByLabel('New person name').fill('  Bernadette   Rostenkowski ');
  await page.getByRole('button', { name: 'Add person' }).click();
  const card = personCard('bernadette_rostenkowski');
  await card.waitFor();
  assert.equal(await card.getByTestId('person-name').innerText(), 'Bernadette Rostenkowski');
  assert.equal(await card.getByTestId('person-folder').innerText(), 'faces/bernadette_rostenkowski/');
  await toastStarting(page, 'Added Bernadette Rostenkowski — no reference faces yet').waitFor();

  // Another name is another person: refused, and the card still shows the name it had.
  await card.getByTestId('person-rename').click();
  const input = card.getByTestId('person-rename-input');
  assert.equal(await input.inputValue(), 'Bernadette Rostenkowski');
  await input.fill('Bernie');
  await card.getByRole('button', { name: 'Save' }).click();
  const refused = toastStarting(page, 'Could not rename Bernadette Rostenkowski');
  await refused.waitFor();
  assert.match(await refused.innerText(), /not a way of writing bernadette_rostenkowski/);
  assert.equal(await card.getByTestId('person-name').innerText(), 'Bernadette Rostenkowski');

  await input.fill('BERNADETTE Rostenkowski');
  await card.getByRole('button', { name: 'Save' }).click();
  await page.waitForFunction(() => document.querySelector(
    '[data-testid="person"][data-name="bernadette_rostenkowski"] [data-testid="person-name"]')?.textContent
    === 'BERNADETTE Rostenkowski', null, { polling: 100 });
  const persons = (await lib.api('/api/persons')).persons;
  assert.deepEqual(persons.map((p) => [p.name, p.display_name]),
    [['bernadette_rostenkowski', 'BERNADETTE Rostenkowski']]);
  await screenshot(page, 'persons-shown-name');

  // The review picker finds her by any part of the name as shown, shows that name in the box, and files the photo
  // under her folder.
  await page.goto('/#/review');
  const id = await currentCardId(page);
  await page.getByTestId('person-select').fill('rosten');
  const option = page.getByTestId('person-options').getByTestId('picker-option').first();
  assert.equal(await option.locator('.picker-name').innerText(), 'BERNADETTE Rostenkowski');
  await option.click();
  assert.equal(await page.getByTestId('person-select').inputValue(), 'BERNADETTE Rostenkowski');
  await page.getByTestId('approve').click();
  await toastStarting(page, 'Sorted').waitFor();
  const item = await lib.item(id);
  assert.equal(item.person, 'bernadette_rostenkowski');
  assert.ok(fs.existsSync(path.join(lib.library, item.path)), item.path);
  assert.match(item.path, /^faces\/bernadette_rostenkowski\//);

  // The name typed out in full, as shown, is that person too (not a new one).
  const next = await currentCardId(page);
  await page.getByTestId('person-select').fill('Bernadette Rostenkowski');
  await page.getByTestId('person-select').press('Enter');
  // The first approval's toast may still be up: wait for this photo to be filed, not for a toast.
  let filed = null;
  for (let tries = 0; tries < 100 && !filed; tries++) {
    const now = await lib.item(next);
    if (now.location === 'library') filed = now;
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(filed && filed.person, 'bernadette_rostenkowski');
  assert.equal((await lib.api('/api/persons')).persons.length, 1);

  // The audit log names her as her name is written, not by her folder.
  await page.goto('/#/audit');
  const enrolled = page.getByTestId('audit-row').filter({ hasText: 'enrolled' });
  await enrolled.first().waitFor();
  assert.match(await enrolled.first().innerText(), /enrolled BERNADETTE Rostenkowski/);
  assert.doesNotMatch(await enrolled.first().innerText(), /bernadette_rostenkowski/);

  // The blacklist on the Settings page lists her as her name is written; saved as it stands, it keeps her folder name,
  // and a name typed near hers is offered back as written.
  await page.goto('/#/persons');
  await personCard('bernadette_rostenkowski').getByTestId('blacklist-bernadette_rostenkowski').check();
  await eventually('the blacklist holds her', async () => (await lib.api('/api/config')).blacklist.length === 1);
  await page.goto('/#/settings');
  const black = page.getByTestId('blacklist-input');
  await black.waitFor();
  assert.equal(await black.inputValue(), 'BERNADETTE Rostenkowski');
  await black.fill('BERNADETTE Rostenkowski\nBernadete Rostenkowski');
  await page.getByTestId('blacklist-input').locator('xpath=..').getByRole('button', { name: 'Save' }).click();
  const suggestion = page.getByTestId('blacklist-warning').getByTestId('use-name');
  assert.equal(await suggestion.innerText(), 'BERNADETTE Rostenkowski');
  await suggestion.click();
  assert.equal(await black.inputValue(), 'BERNADETTE Rostenkowski\nBERNADETTE Rostenkowski');
  await page.getByTestId('blacklist-input').locator('xpath=..').getByRole('button', { name: 'Save' }).click();
  await toastStarting(page, 'Saved the blacklist (1 name)').waitFor();
  assert.deepEqual((await lib.api('/api/config')).blacklist, ['bernadette_rostenkowski']);

  // The statistics count her photos under her name as written.
  await page.goto('/#/stats');
  await page.getByRole('cell', { name: 'BERNADETTE Rostenkowski', exact: true }).waitFor();
  assert.equal(await page.getByRole('cell', { name: 'bernadette_rostenkowski' }).count(), 0);
});
