// The People page in headless Chromium against a real `triage serve`: photos of two persons arrive with nobody
// enrolled (face analysis on, real models) and form two clusters; name one, merge the other into it, split a face
// off, remove an outlier from the person's face audit grid, and undo — checking files and clusters through the API.
// In a library of its own, faces in no cluster are counted above the list and in its empty state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, screenshot } from './harness.mjs';

let lib; let page;

// A library of the fixture photos `names` with face analysis on, `minFaces` similar faces making a cluster.
const clusteringLibrary = (names, minFaces) => openLibrary({
  photos: names.map((p, i) => [p, `${i}_${p}`]),
  configure: (config) => {
    config.analysis.faces = true;
    config.face_clustering = { min_faces: minFaces, cluster_distance: 0.55, min_face_size: 40, min_detection_score: 0.5 };
  },
});

before(async () => {
  // Small fixture set: two faces make a cluster.
  lib = await clusteringLibrary(['obama.jpg', 'obama2.jpg', 'obama3.jpg', 'biden.jpg', 'biden2.jpg'], 2);
  ({ page } = lib);
});

after(async () => { await closeLibrary(lib); });

const clusters = async () => (await lib.api('/api/clusters?faces_per_cluster=100')).clusters;
const card = (id) => page.locator(`[data-testid="cluster"][data-id="${id}"]`);
const toastText = () => page.getByTestId('toast-text');
// Every face crop on the page has loaded (each is cut from its photo on first request).
const cropsLoaded = () => page.waitForFunction(() => [...document.querySelectorAll('[data-testid="face"] img')]
  .every((img) => img.complete && img.naturalWidth > 0), null, { polling: 200 });

async function undoFromToast(expected) {
  await toastText().filter({ hasText: expected }).waitFor();
  await page.getByTestId('toast-action').click();
  await toastText().filter({ hasText: 'Undone' }).waitFor();
}

test('name, merge, split, remove an outlier, undo', async () => {
  await logIn(page);
  const before = await clusters();
  assert.ok(before.length >= 2, `two clusters expected, got ${JSON.stringify(before)}`);
  const [big, small] = before;
  await page.goto('/#/people');
  await card(big.id).waitFor();
  await cropsLoaded();
  await screenshot(page, 'people');
  // One layout on every card: the name form, the merge form, then the buttons for the selected faces on a row of
  // their own, starting at the same place on each card.
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const layout = await page.locator('[data-testid="cluster"]').evaluateAll((cards) => cards.map((c) => {
      const card = c.getBoundingClientRect();
      const split = c.querySelector('[data-testid="split-button"]').getBoundingClientRect();
      const forms = [...c.querySelectorAll('.cluster-tools form')].map((f) => f.getBoundingClientRect());
      return { left: Math.round(split.left - card.left), below: forms.every((f) => split.top >= f.bottom) };
    }));
    assert.ok(layout.length >= 2 && layout.every((l) => l.below), `${width} px: ${JSON.stringify(layout)}`);
    assert.equal(new Set(layout.map((l) => l.left)).size, 1, `${width} px: ${JSON.stringify(layout)}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  // Every face is in a cluster: nothing is said about faces in none.
  assert.equal((await lib.api('/api/clusters')).unclustered, 0);
  assert.equal(await page.getByTestId('unclustered').count(), 0);

  // Only spaces: said, and nothing is sent.
  let named = 0;
  const onName = (r) => { if (r.method() === 'POST' && /\/api\/clusters\/\d+\/name$/.test(r.url())) named++; };
  page.on('request', onName);
  await card(big.id).getByTestId('name-input').fill('   ');
  await card(big.id).getByTestId('name-button').click();
  await toastText().filter({ hasText: 'Type who this is first.' }).waitFor();
  page.off('request', onName);
  assert.equal(named, 0);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'name-input');

  // Name the larger cluster: its waiting single-face photos move to faces/barack. A name half typed in another
  // cluster's field meanwhile survives the list being drawn anew.
  await card(small.id).getByTestId('name-input').fill('Draft name');
  await card(big.id).getByTestId('name-input').fill('Barack');
  await card(big.id).getByTestId('name-button').click();
  await toastText().filter({ hasText: 'Cluster named Barack' }).waitFor();
  await page.locator(`[data-testid="cluster"][data-person="barack"]`).waitFor();
  assert.equal(await card(small.id).getByTestId('name-input').inputValue(), 'Draft name');
  assert.equal(await card(big.id).getByTestId('name-input').inputValue(), '', 'the name sent is not typed again');
  await card(small.id).getByTestId('name-input').fill('');
  const inFolder = () => fs.readdirSync(path.join(lib.library, 'faces/barack')).length;
  assert.equal(inFolder(), big.size);

  // Merge the other cluster into it (suggested or chosen from the list); nothing is chosen before the reviewer does.
  assert.equal(await card(small.id).getByTestId('merge-select').inputValue(), '');
  await card(small.id).getByTestId('merge-button').click();
  await toastText().filter({ hasText: 'Choose the cluster to merge into.' }).waitFor();
  assert.equal((await clusters()).length, before.length, 'nothing merged');
  await card(small.id).getByTestId('merge-select').selectOption(String(big.id));
  // Into a named cluster: asked first, saying whose the faces become; Cancel merges nothing.
  await card(small.id).getByTestId('merge-button').click();
  const ask = page.getByTestId('confirm-dialog');
  await ask.waitFor();
  assert.match(await ask.innerText(), new RegExp(`Merge cluster ${small.id} into cluster ${big.id} \\(Barack`));
  assert.match(await ask.innerText(), new RegExp(`${small.size} faces? become Barack's`));
  await page.getByTestId('confirm-no').click();
  assert.equal((await clusters()).length, before.length, 'nothing merged');
  await card(small.id).getByTestId('merge-button').click();
  await page.getByTestId('confirm-yes').click();
  await toastText().filter({ hasText: `Cluster ${small.id} merged into #${big.id} Barack` }).waitFor();
  await card(small.id).waitFor({ state: 'detached' });
  let after = (await clusters()).find((c) => c.id === big.id);
  assert.equal(after.size, big.size + small.size);
  // Their waiting photos join barack's folder, as naming them would have done.
  assert.equal(inFolder(), big.size + small.size);

  // Split the merged faces off again.
  for (const f of small.faces) await card(big.id).locator(`[data-testid="face"][data-id="${f.id}"]`).click();
  await card(big.id).getByTestId('split-button').click();
  await toastText().filter({ hasText: `${small.faces.length} face${small.faces.length === 1 ? '' : 's'} split off` }).waitFor();
  after = (await clusters()).find((c) => c.id === big.id);
  assert.equal(after.size, big.size);
  assert.equal(inFolder(), big.size, 'the split faces\' photos left faces/barack');

  // The person's face audit grid: outliers first; remove the first one, then undo.
  await card(big.id).getByTestId('audit-link').click();
  const grid = page.getByTestId('face-grid');
  await grid.waitFor();
  await cropsLoaded();
  await screenshot(page, 'people-grid');
  const first = grid.getByTestId('face').first();
  const outlier = Number(await first.getAttribute('data-id'));
  // The tools wait for a selection and say what they would act on; they sit on one row, not a column of wide buttons.
  assert.equal(await page.getByTestId('bulk-remove').isDisabled(), true, 'Remove with no face selected');
  assert.equal(await page.getByTestId('bulk-reassign').isDisabled(), true, 'Reassign with no face selected');
  assert.match(await page.getByTestId('selected-count').innerText(), /Select faces/);
  const removeBox = await page.getByTestId('bulk-remove').boundingBox();
  const gridBox = await grid.boundingBox();
  assert.ok(removeBox.width < gridBox.width / 2, `Remove is ${removeBox.width} px wide of ${gridBox.width}`);
  await first.click();
  assert.equal(await page.getByTestId('selected-count').innerText(), '1 face selected');
  assert.equal(await page.getByTestId('bulk-remove').isDisabled(), false);
  // Clear selection empties it; the face is chosen again for the removal below.
  await page.getByTestId('clear-selection').click();
  assert.equal(await first.getAttribute('aria-pressed'), 'false');
  assert.equal(await page.getByTestId('bulk-remove').isDisabled(), true, 'Remove once the selection is cleared');
  await first.click();
  // A double click removes once: a second action of the same face made the toast's Undo take back the one that
  // changed nothing.
  const removals = [];
  const onRemoval = (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/faces/bulk')) removals.push(r); };
  page.on('request', onRemoval);
  await page.getByTestId('bulk-remove').dblclick();
  await toastText().filter({ hasText: '1 face taken out of barack\'s cluster' }).waitFor();
  page.off('request', onRemoval);
  assert.equal(removals.length, 1, 'one removal for a double click');
  await page.locator(`[data-testid="face-grid"] [data-testid="face"][data-id="${outlier}"]`).waitFor({ state: 'detached' });
  const removed = (await lib.api('/api/faces?limit=1000')).faces.find((f) => f.id === outlier);
  assert.equal(removed.cluster, 0);
  await page.getByTestId('toast-action').click();
  await toastText().filter({ hasText: 'Undone' }).waitFor();
  await page.locator(`[data-testid="face-grid"] [data-testid="face"][data-id="${outlier}"]`).waitFor();

  // Back on the cluster list: a rename, undone from its toast, leaves the first name.
  await page.goto('/#/people');
  await card(big.id).waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await cropsLoaded();
  await screenshot(page, 'people');
  const phoneWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(phoneWidth <= 390, `the cluster list is ${phoneWidth} px wide on a phone`);
  await page.setViewportSize({ width: 1440, height: 900 });
  // A double click names the cluster once.
  const namings = [];
  const onRequest = (r) => { if (r.method() === 'POST' && r.url().endsWith(`/api/clusters/${big.id}/name`)) namings.push(r); };
  page.on('request', onRequest);
  await card(big.id).getByTestId('name-input').fill('Barack Obama');
  assert.equal(await card(big.id).getByTestId('name-button').innerText(), 'Move faces', 'not "Rename": barack stays');
  await card(big.id).getByTestId('name-button').dblclick();
  // Another name is another person: asked first, saying what moves and what stays (one dialog for a double click).
  const moving = page.getByTestId('confirm-dialog');
  await moving.waitFor();
  const size = (await clusters()).find((c) => c.id === big.id).size;
  assert.equal(await moving.count(), 1);
  assert.match(await moving.innerText(), new RegExp(`moves these ${size} faces to a new person, Barack Obama`));
  assert.match(await moving.innerText(), /Barack stays, with the reference faces enrolled from other photos/);
  assert.equal(await moving.getByTestId('confirm-yes').innerText(), `Move ${size} faces to Barack Obama`);
  await moving.getByTestId('confirm-yes').click();
  await undoFromToast(`${size} faces moved from Barack to Barack Obama (faces/barack_obama)`);   // the folder the name becomes
  page.off('request', onRequest);
  assert.equal(namings.length, 1, 'one request for a double click');
  assert.equal((await clusters()).find((c) => c.id === big.id).person, 'barack');

  // A long name in the other clusters' merge lists still fits a phone; the rename moves the sorted photos along.
  const longName = 'Barack Hussein Obama the Forty-Fourth President';
  await card(big.id).getByTestId('name-input').fill(longName);
  await card(big.id).getByTestId('name-button').click();
  await page.getByTestId('confirm-yes').click();
  await toastText().filter({ hasText: `moved from Barack to ${longName}` }).waitFor();
  const folder = 'faces/barack_hussein_obama_the_forty_fourth_president';
  assert.equal(fs.readdirSync(path.join(lib.library, folder)).length, big.size);
  assert.deepEqual(fs.readdirSync(path.join(lib.library, 'faces/barack')), []);
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await page.waitForFunction(() => document.documentElement.clientWidth === 390);
    const [width, wide] = await page.evaluate(() => [document.documentElement.scrollWidth,
      [...document.querySelectorAll('#app *')].filter((el) => el.getBoundingClientRect().right > 391 &&
        ![...el.children].some((c) => c.getBoundingClientRect().right > 391))
        .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px)`)]);
    assert.ok(width <= 390, `the cluster list is ${width} px wide on a phone with a long name in the merge lists: ${wide}`);
  } finally { await page.setViewportSize({ width: 1440, height: 900 }); }
  await page.getByTestId('toast-action').click();
  await toastText().filter({ hasText: 'Undone' }).waitFor();
  assert.equal(fs.readdirSync(path.join(lib.library, 'faces/barack')).length, big.size);

  // Renaming to a person who exists would join the two: the page asks first, and a cancel changes nothing.
  const other = (await clusters()).find((c) => c.id !== big.id);
  await card(other.id).getByTestId('name-input').fill('Joe');
  await card(other.id).getByTestId('name-button').click();
  await toastText().filter({ hasText: 'Cluster named Joe' }).waitFor();
  await page.locator('[data-testid="cluster"][data-person="joe"]').waitFor();   // the list drawn again, joe in it
  await card(big.id).getByTestId('name-input').fill('JOE');
  await card(big.id).getByTestId('name-button').click();
  const dialog = page.getByTestId('confirm-dialog');
  await dialog.filter({ hasText: 'joe exists already' }).waitFor();
  assert.match(await dialog.innerText(), /photos in faces\/barack move to faces\/joe/);
  await dialog.getByTestId('confirm-no').click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal((await clusters()).find((c) => c.id === big.id).person, 'barack');
  assert.equal(fs.readdirSync(path.join(lib.library, 'faces/barack')).length, big.size);

  // Two persons are not merged (the server refuses it): joe's cluster is not offered as a target of barack's, and
  // with nobody else to merge with, the card says so and the page (once) how to join them.
  const mergeable = (await clusters()).filter((c) => c.id !== big.id && (!c.person || c.person === 'barack'));
  const offered = await card(big.id).locator('[data-testid="merge-select"] option')
    .evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
  assert.deepEqual(offered.map(Number).sort(), mergeable.map((c) => c.id).sort());
  assert.deepEqual(mergeable, [], 'every other cluster is somebody else\'s');
  // The card says it in the person's name as written; how to join two persons' clusters is said once, for every card.
  assert.equal(await card(big.id).getByTestId('merge-none').innerText(),
    'Nothing to merge Barack with: every other cluster is named as somebody else.');
  assert.equal(await page.getByTestId('merge-help').count(), 1);
  assert.match(await page.getByTestId('merge-help').innerText(), /rename one to the other's name as written/);
  for (const text of await page.getByTestId('cluster').allInnerTexts()) assert.doesNotMatch(text, /rename/);
});

// axe-core finds nothing serious or critical on the page as it is.
async function noSeriousViolations(p, what) {
  await p.evaluate(fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8'));
  const { violations } = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.help}`);
  assert.deepEqual(serious, [], what);
}

// The sentence about faces in no cluster, as the page says it for `count` faces and clusters of 3 similar faces.
const unclusteredText = (count) => `${count} face${count === 1 ? ' is' : 's are'} not in a cluster yet: a new ` +
  'cluster forms once the library holds at least 3 similar faces of one person nobody named yet (a person you named ' +
  'gathers their faces from the first one). Until then, name them on their photos in Review.';

test('faces in no cluster are counted, with why and where to name them meanwhile', async () => {
  // A library of its own under the default rule (3 similar faces make a cluster): obama's three photos form one;
  // biden's two and a stranger's one form none.
  const strangers = await clusteringLibrary(
    ['obama.jpg', 'obama2.jpg', 'obama3.jpg', 'biden.jpg', 'biden2.jpg', 'Tom_Cruise_avp_2014_4.jpg'], 3);
  try {
    const p = strangers.page;
    await logIn(p);
    const { clusters: formed, unclustered } = await strangers.api('/api/clusters');
    assert.ok(formed.length >= 1, `obama's cluster expected, got ${JSON.stringify(formed)}`);
    assert.ok(unclustered >= 3, `biden's and the stranger's faces are in no cluster, got ${unclustered}`);
    await p.goto('/#/people');
    await p.getByTestId('cluster').first().waitFor();
    assert.equal(await p.getByTestId('unclustered').innerText(), unclusteredText(unclustered));
    assert.equal(await p.getByTestId('unclustered').getByRole('link', { name: 'Review' }).getAttribute('href'),
      '#/review');
    await screenshot(p, 'people-unclustered');
    await noSeriousViolations(p, 'the cluster list with its note');

    // With every cluster hidden the list is empty, and the empty state says where the faces are.
    for (const c of formed) {
      await p.locator(`[data-testid="cluster"][data-id="${c.id}"]`).getByTestId('hide-button').click();
      await p.locator(`[data-testid="cluster"][data-id="${c.id}"]`).waitFor({ state: 'detached' });
    }
    const empty = p.getByTestId('clusters-empty');
    await empty.waitFor();
    assert.equal(await empty.getByTestId('unclustered').innerText(), unclusteredText(unclustered));
    assert.match(await empty.innerText(), /clusters you hid are under “Show hidden”/);
    await p.setViewportSize({ width: 390, height: 844 });
    await screenshot(p, 'people-unclustered-empty');
    await noSeriousViolations(p, 'the empty list with its note');
    // Under "Show hidden" the clusters are back, each marked as hidden (they had looked like any other).
    await p.getByRole('link', { name: 'Show hidden' }).click();
    await p.getByTestId('cluster').first().waitFor();
    assert.equal(await p.getByTestId('cluster').count(), formed.length);
    assert.equal(await p.getByTestId('hidden-badge').count(), formed.length);
  } finally { await closeLibrary(strangers); }
});

// A library of its own with two clusters (obama's faces, biden's), logged in on the People page: `fn(page, the two
// cluster ids in page order, the library)`.
async function withTwoClusters(fn) {
  const two = await clusteringLibrary(['obama.jpg', 'obama2.jpg', 'biden.jpg', 'biden2.jpg'], 2);
  try {
    const p = two.page;
    await logIn(p);
    await p.goto('/#/people');
    await p.getByTestId('cluster').nth(1).waitFor();
    const ids = await p.getByTestId('cluster').evaluateAll((els) => els.map((e) => e.dataset.id));
    assert.equal(ids.length, 2, `two clusters expected, got ${ids}`);
    await fn(p, ids, two);
  } finally { await closeLibrary(two); }
}

test('hiding a cluster hands the keyboard focus to the next cluster\'s Hide, and to the heading when none is left',
  () => withTwoClusters(async (p, ids, two) => {
    const focusedIn = () => p.evaluate(() => [document.activeElement?.closest('[data-testid="cluster"]')?.dataset.id,
      document.activeElement?.dataset.testid || document.activeElement?.tagName]);
    await p.locator(`[data-testid="cluster"][data-id="${ids[0]}"]`).getByTestId('hide-button').focus();
    await p.keyboard.press('Enter');
    await p.locator(`[data-testid="cluster"][data-id="${ids[0]}"]`).waitFor({ state: 'detached' });
    await p.waitForFunction(() => document.activeElement?.dataset.testid === 'hide-button');
    assert.deepEqual(await focusedIn(), [ids[1], 'hide-button']);
    // Enter again hides the next one; with none left the focus is on the page's heading, not lost to the body.
    await p.keyboard.press('Enter');
    await p.getByTestId('clusters-empty').waitFor();
    await p.waitForFunction(() => document.activeElement?.tagName === 'H1');
    assert.equal(await p.evaluate(() => document.activeElement.textContent), 'Face clusters');
    // Ctrl-Z takes the hides back one by one, newest first.
    await p.keyboard.press('Control+z');
    await p.locator(`[data-testid="cluster"][data-id="${ids[1]}"]`).waitFor();
    await p.getByTestId('toast-text').filter({ hasText: /^Undone: Cluster hidden\. 1 more can be taken back/ }).waitFor();
    assert.equal(await p.getByTestId('cluster').count(), 1);
    await p.evaluate(() => document.activeElement?.blur());
    await p.keyboard.press('Control+z');
    await p.locator(`[data-testid="cluster"][data-id="${ids[0]}"]`).waitFor();
    assert.deepEqual((await two.api('/api/clusters')).clusters.map((c) => String(c.id)).sort(), [...ids].sort());
  }));

test('a refused name stays typed; a double click hides or splits once, and one Ctrl-Z brings the cluster back',
  () => withTwoClusters(async (p, ids, two) => {
    const at = (id) => p.locator(`[data-testid="cluster"][data-id="${id}"]`);
    const posts = [];
    p.on('request', (r) => { if (r.method() === 'POST') posts.push(new URL(r.url()).pathname); });

    // A name the server refuses (too long) is said, and left in the box to be put right.
    const long = 'a'.repeat(150);
    await at(ids[0]).getByTestId('name-input').fill(long);
    await at(ids[0]).getByTestId('name-button').click();
    await p.getByTestId('toast-text').filter({ hasText: 'too long' }).waitFor();
    assert.equal(await at(ids[0]).getByTestId('name-input').inputValue(), long);

    // Split with a double click: one request, one success toast.
    await at(ids[1]).getByTestId('face').first().click();
    await at(ids[1]).getByTestId('split-button').dblclick();
    await p.getByTestId('toast-text').filter({ hasText: /^1 face split off/ }).waitFor();
    await p.waitForTimeout(300);
    assert.equal(posts.filter((u) => u.endsWith('/split')).length, 1, 'one split request');

    // Hide with a double click: one request, so one Ctrl-Z shows the cluster again.
    await at(ids[0]).getByTestId('hide-button').dblclick();
    await at(ids[0]).waitFor({ state: 'detached' });
    await p.waitForTimeout(300);
    assert.equal(posts.filter((u) => u.endsWith('/hide')).length, 1, 'one hide request');
    await p.evaluate(() => document.activeElement?.blur());
    await p.keyboard.press('Control+z');
    await at(ids[0]).waitFor();
    assert.ok((await two.api('/api/clusters')).clusters.some((c) => String(c.id) === ids[0]), 'the cluster is shown');
  }));

test('a role that may not manage persons sees the clusters without selectable faces or help for tools it lacks',
  () => withTwoClusters(async (p, ids, two) => {
    two.run(['user', 'add', 'uma', '--role', 'user'], 'uma-password-1\n');
    await p.getByRole('button', { name: 'Log out' }).click();
    await p.getByLabel('User name').fill('uma');
    await p.getByLabel('Password').fill('uma-password-1');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByText('uma · user').waitFor();
    await p.goto('/#/people');
    await p.locator(`[data-testid="cluster"][data-id="${ids[0]}"] [data-testid="face"]`).first().waitFor();
    assert.equal(await p.locator('[data-testid="face"][aria-pressed]').count(), 0, 'no face is a toggle');
    assert.equal(await p.locator('[data-testid="face"]').evaluateAll((els) => els.filter((e) => e.tagName === 'BUTTON')
      .length), 0);
    assert.equal(await p.getByTestId('cluster-tools').count() + await p.locator('.cluster-tools').count(), 0);
    assert.equal(await p.getByTestId('clusters-intro').textContent(), 'Faces that look alike are grouped as they ' +
      'arrive. Naming, merging and splitting them is for a role that manages persons.');
  }));
