// What a review card says, and what it does with what is typed, where a new user found the two disagreeing: the
// "new person…" box given the name of someone enrolled, a reason written at intake that the matcher contradicts now,
// and an Undo offered after logging out. Headless Chromium against a real `triage serve` with face analysis on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openLibrary, closeLibrary, logIn, currentCardId, openReviewQueue, toastStarting, waitForCardChange,
  screenshot } from './harness.mjs';

let lib; let page;
const ids = {};

before(async () => {
  lib = await openLibrary({
    configure: (config) => { config.analysis.faces = true; },
    // Obama is enrolled; nobody else is. Each photo below shows one face and waits in review/unidentified.
    persons: [['obama', 'obama.jpg']],
    photos: [['Tom_Cruise_avp_2014_4.jpg', 'cruise.jpg'], ['biden.jpg', 'biden.jpg'], ['biden2.jpg', 'biden2.jpg'],
      ['skimage_astronaut.jpg', 'astronaut.jpg']],
  });
  page = lib.page;
  await logIn(page);
  for (const item of (await lib.api('/api/items?per_page=200')).items) ids[item.file_name] = item.id;
  for (const name of ['cruise.jpg', 'biden.jpg', 'biden2.jpg']) {
    assert.equal((await lib.item(ids[name])).folder, 'review/unidentified', name);
  }
});

after(async () => { await closeLibrary(lib); });

async function openCard(name) {
  await openReviewQueue(page);
  await page.evaluate((id) => { location.hash = `#/review/unidentified?item=${id}`; }, ids[name]);
  await page.getByTestId('review-card').and(page.locator(`[data-item-id="${ids[name]}"]`)).waitFor();
}

test('the "new person…" box given an enrolled name files nothing: the person is chosen, and a second approve files', async () => {
  await openCard('cruise.jpg');
  const before = (await lib.api('/api/persons')).persons.find((p) => p.name === 'obama').references;
  await page.getByTestId('person-new').fill('Obama ');
  await page.getByTestId('person-new').press('Enter');
  await toastStarting(page, '“Obama” is obama, enrolled already: nothing was filed, and obama is chosen in the list. ' +
    'Approve again to file cruise.jpg under them').waitFor();
  // Nothing went wrong, so it is not said in red: a warning asking for a second look.
  assert.equal(await page.locator('#toast').getAttribute('class'), 'toast warn');
  await screenshot(page, 'new-person-box-enrolled-name');
  const item = await lib.item(ids['cruise.jpg']);
  assert.equal(item.folder, 'review/unidentified', 'nothing was filed');
  assert.equal((await lib.api('/api/persons')).persons.find((p) => p.name === 'obama').references, before,
    'obama learnt no face');
  assert.equal(await page.getByTestId('person-new').inputValue(), '', 'the box is emptied');
  assert.equal(await currentCardId(page), ids['cruise.jpg'], 'the card stays');

  // Confirmed: the second approve files the photo under the person chosen.
  await page.getByTestId('approve').click();
  await toastStarting(page, 'Sorted cruise.jpg under obama').waitFor();
  assert.equal((await lib.item(ids['cruise.jpg'])).folder, 'faces/obama');
  // Undone, so that the tests below find the queue as it was.
  await page.keyboard.press('Control+z');
  await toastStarting(page, 'Undone').waitFor();
  assert.equal((await lib.item(ids['cruise.jpg'])).folder, 'review/unidentified');
});

test('a reason written at intake says so once a person enrolled since is the likely match', async () => {
  await openCard('biden2.jpg');
  const reason = page.getByTestId('reason');
  assert.doesNotMatch(await reason.innerText(), /^At intake:/, 'nobody enrolled since: the reason stands as it is');
  // Biden is added from the queue, with this photo as his first reference face.
  await page.getByTestId('person-new').fill('Joe Biden');
  await page.getByTestId('approve').click();
  await toastStarting(page, 'Sorted biden2.jpg under Joe Biden').waitFor();
  await waitForCardChange(page, ids['biden2.jpg']);

  await openCard('biden.jpg');
  const words = await reason.innerText();
  assert.match(words, /^At intake: The face matches nobody enrolled/, words);
  assert.match(words, /Against the persons enrolled now: likely Joe Biden · distance 0\.\d\d\.$/, words);
  await page.getByTestId('suggestion').filter({ hasText: 'likely Joe Biden' }).waitFor();
  await screenshot(page, 'reason-at-intake');
});

test('logging out takes the Undo offered off the screen, and says so as news, not as an error', async () => {
  await openCard('astronaut.jpg').catch(async () => { await openReviewQueue(page); });
  const id = await currentCardId(page);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('s');
  await toastStarting(page, 'Skipped').waitFor();
  await waitForCardChange(page, id);
  await page.getByRole('button', { name: 'Log out' }).click();
  const said = page.getByText('You are logged out.');
  await said.waitFor();
  assert.ok(await page.locator('#toast').isHidden(), 'no Undo is offered on the login page');
  const colours = await said.evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el.closest('form')).color]);
  assert.equal(colours[0], colours[1], `the notice is in the form's own colour: ${colours}`);
  await screenshot(page, 'logged-out');
  await logIn(page);
});
