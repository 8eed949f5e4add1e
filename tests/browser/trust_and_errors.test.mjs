// Trust and errors in the web UI, each in headless Chromium against a real `triage serve` on 127.0.0.1: the public
// voting page (a second flag counted once, a vote that cannot be sent and a list that cannot be loaded said in words,
// with a way to try again), the proposals' quality score on the 0-10 scale, a near duplicate whose reason names a very
// long file name without widening the page, the whitelist's "Did you mean" offered only for a near typo, Ctrl-Z not
// acting behind the trash's "Delete now" dialog, and a page that failed for an unreachable server loading by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, currentCardId, waitForCardChange, toastStarting, fixtures, screenshot }
  from './harness.mjs';

let lib; let page;
let current; let proposed; let proposalId;
// A file name of 198 characters without a space: the near duplicate's reason names it (its path in the library,
// where the name may be shortened a little).
const LONG_NAME = `IMG_${'0123456789'.repeat(19)}.jpg`;

before(async () => {
  lib = await openLibrary({
    photos: [['obama.jpg', 'a_obama.jpg'], ['biden.jpg', 'b_biden.jpg'], ['obama2.jpg', 'c_obama2.jpg'],
      ['skimage_coffee.jpg', 'd_coffee.jpg'], ['obama3.jpg', LONG_NAME]],
    // sheldon is enrolled (what the whitelist's near typo is to be offered), without a face: faces are off.
    prepare: (library) => execFileSync('sqlite3', [path.join(library, '.triage/catalog.db')],
      { input: "INSERT INTO persons (name, created_at) VALUES ('sheldon', 0);" }),
  });
  page = lib.page;
  // The same picture resized, ingested after the long-named original: a near duplicate of it.
  const inbox = fs.mkdtempSync(path.join(lib.tmp, 'small-'));
  fs.copyFileSync(path.join(fixtures, '../demo/obama3_small.jpg'), path.join(inbox, 'z_small.jpg'));
  lib.run(['ingest', '--source', 'browser-test', inbox]);
  const pending = JSON.parse(lib.run(['review', 'list', '--json']));
  const idOf = (name) => pending.find((item) => item.path.endsWith(`/${name}`)).id;
  [current, proposed] = [idOf('a_obama.jpg'), idOf('b_biden.jpg')];
  lib.run(['review', 'approve', String(current), '--person', 'Ada']);
  proposalId = JSON.parse(lib.run(['proposals', 'add', String(current), String(proposed), '--json'])).id;
  lib.run(['public', String(current)]);
});

after(async () => { await closeLibrary(lib); });

const blur = () => page.evaluate(() => document.activeElement && document.activeElement.blur());
const go = async (hash, heading) => {
  await page.evaluate((h) => { location.hash = h; }, hash);
  if (heading) await page.getByRole('heading', { level: 1, name: heading }).waitFor({ state: 'attached' });
};

test('voting page: a second flag is counted once; an unsent vote and an unloaded list say so, Try again loads',
  async () => {
    // Anonymous, before anybody logs in.
    await page.goto('/vote.html');
    const card = page.locator(`[data-testid="vote-image"][data-item-id="${current}"]`);
    await card.waitFor();
    const counts = card.getByTestId('vote-counts');
    assert.match(await counts.innerText(), /⚑ 0$/);
    await card.getByTestId('vote-flag-summary').click();
    await card.getByTestId('vote-flag').click();
    await toastStarting(page, 'Thank you, the photo is flagged for a curator.').waitFor();
    await counts.filter({ hasText: /⚑ 1$/ }).waitFor();
    assert.equal(await card.getByTestId('vote-flag-summary').innerText(), 'Flagged ✓ (wrong subject)');
    await card.getByTestId('vote-flag-summary').click();   // the form closed after the first flag
    await card.getByLabel(/^What is wrong/).selectOption('poor_quality');
    await card.getByTestId('vote-flag').click();
    await toastStarting(page, 'Your flag was counted already: its reason is updated.').waitFor();
    assert.match(await counts.innerText(), /⚑ 1$/, 'the second flag of one voter is not counted again');
    // The summary names the reason now in force.
    assert.equal(await card.getByTestId('vote-flag-summary').innerText(), 'Flagged ✓ (poor quality)');
    const listed = (await page.evaluate(async () => (await (await fetch('/api/public/images')).json()).images))
      .find((i) => i.id === current);
    assert.equal(listed.flags, 1);

    // A vote the network drops: said in words, not as the browser's "Failed to fetch"; the counts stay.
    await page.route('**/api/votes', (r) => r.abort());
    try {
      await card.getByTestId('vote-up').click();
      const said = toastStarting(page, 'The server could not be reached: check the connection and try again.');
      await said.waitFor();
      assert.doesNotMatch(await page.getByTestId('toast-text').innerText(), /Failed to fetch/);
      assert.match(await counts.innerText(), /^▲ 0 · ▼ 0/);
    } finally { await page.unroute('**/api/votes'); }

    // The list that could not be loaded: an error with Try again, which loads it once the server answers.
    await page.route('**/api/public/images', (r) => r.abort());
    try {
      await page.reload();
      const failed = page.getByTestId('vote-load-error');
      await failed.waitFor();
      assert.match(await failed.innerText(), /The photos could not be loaded\. The server could not be reached/);
      assert.equal(await page.getByTestId('vote-image').count(), 0);
    } finally { await page.unroute('**/api/public/images'); }
    await page.getByTestId('vote-load-error').getByRole('button', { name: 'Try again' }).click();
    await card.waitFor();
    assert.equal(await page.getByTestId('vote-load-error').count(), 0);
    await logIn(page);
  });

test('proposals: the quality score reads N.N on the 0–10 scale in the list and the comparison, never /100', async () => {
  const shown = JSON.parse(lib.run(['proposals', 'show', String(proposalId), '--json']));
  const expected = (f) => (Math.round(f.score) / 10).toFixed(1);  // the column head says 0–10
  assert.ok(shown.current.score > 10 && shown.proposed.score > 10, 'the API gives the scores on 0-100');
  await go('#/proposals', 'Proposals');
  const detail = page.getByTestId('proposal-detail');
  await detail.waitFor();
  const row = page.locator(`[data-testid="proposal-row"][data-proposal-id="${proposalId}"]`);
  assert.equal((await row.locator('td').nth(5).innerText()).trim(), expected(shown.proposed));
  // The comparison's cells: the value, and ▲ on the better one.
  for (const [side, f] of [['current', shown.current], ['proposed', shown.proposed]]) {
    const text = (await page.getByTestId(`${side}-quality`).innerText()).trim();
    assert.equal(text.replace(/ ▲$/, ''), expected(f), `${side}: ${text}`);
  }
  assert.doesNotMatch(await page.locator('#app').innerText(), /\/100\b/);
});

test('a near duplicate whose reason names a 198-character file name does not widen the page', async () => {
  try {
    for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      await page.setViewportSize(size);
      await go('#/stats', 'Statistics');
      await go('#/review/near_duplicates');
      await page.getByTestId('review-card').waitFor();
      const reason = page.getByTestId('reason');
      const original = await lib.item((await lib.item(await currentCardId(page))).duplicate_of);
      assert.ok(path.basename(original.path).length > 150, original.path);
      assert.ok((await reason.innerText()).includes(original.path), 'the reason names the long file name');
      await page.waitForLoadState('networkidle');
      const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scroll <= inner, `@${size.width}: the page is ${scroll} px wide in a ${inner} px window`);
      const box = await reason.boundingBox();
      assert.ok(box.x + box.width <= inner, `@${size.width}: the reason ends at ${box.x + box.width} px`);
      await screenshot(page, 'near-duplicate-long-name');
    }
  } finally { await page.setViewportSize({ width: 1440, height: 900 }); }
});

test('settings: a Cyrillic or unrelated whitelist name gets no "Did you mean"; a near typo still does', async () => {
  await go('#/settings', 'Settings');
  const input = page.getByTestId('whitelist-input');
  const warning = page.getByTestId('whitelist-warning');
  await input.fill('Анна\nBob');
  await page.getByTestId('save-whitelist').click();
  await warning.getByText('“Анна” is not an enrolled person.').waitFor();
  await warning.getByText('“Bob” is not an enrolled person.').waitFor();
  assert.equal(await warning.getByTestId('use-name').count(), 0);
  assert.doesNotMatch(await warning.innerText(), /Did you mean/);
  await input.fill('shledon');
  await page.getByTestId('save-whitelist').click();
  await warning.getByText('“shledon” is not an enrolled person.').waitFor();
  assert.deepEqual(await warning.getByTestId('use-name').allInnerTexts(), ['sheldon']);
  assert.match(await warning.innerText(), /Did you mean sheldon\?/);
  const configPath = path.join(lib.library, 'triage.json');
  assert.deepEqual(JSON.parse(fs.readFileSync(configPath, 'utf8')).whitelist, [], 'nothing saved');
  await input.fill('');   // nothing left unsaved: leaving does not ask
});

test('trash: Ctrl-Z while the "Delete now" dialog is open undoes nothing; once it is closed it does', async () => {
  await go('#/review/unidentified');
  const deleted = [];
  for (let i = 0; i < 2; i++) {
    const id = await currentCardId(page);
    await blur();
    // Two decisions, not a double press (the same key again within 350 ms is dropped as one).
    if (i > 0) await page.waitForTimeout(400);
    await page.keyboard.press('d');
    await toastStarting(page, 'Moved ').waitFor();
    await waitForCardChange(page, id);
    deleted.push(id);
  }
  await page.locator('#nav a[data-page="trash"]').click();
  await page.getByRole('heading', { level: 1, name: 'Trash' }).waitFor();
  const trashed = async () => (await lib.api('/api/items?location=trash&per_page=200')).items.map((i) => i.id)
    .sort((a, b) => a - b);
  // A restore puts an undo on the trash page's own list.
  const [restored, kept] = deleted;
  await page.locator(`[data-testid="trash-item"][data-item-id="${restored}"]`).getByTestId('restore').click();
  await toastStarting(page, 'Restored ').waitFor();
  await page.locator(`[data-testid="trash-item"][data-item-id="${restored}"]`).waitFor({ state: 'detached' });
  assert.deepEqual(await trashed(), [kept]);

  await page.locator(`[data-testid="trash-item"][data-item-id="${kept}"]`).getByTestId('purge').click();
  const dialog = page.getByTestId('confirm-dialog');
  await dialog.waitFor();
  await page.keyboard.press('Control+z');
  await page.waitForTimeout(1500);   // an undo sent would have landed by now
  assert.equal(await dialog.isVisible(), true, 'the dialog is still open');
  assert.deepEqual(await trashed(), [kept], 'nothing was undone behind the dialog');
  assert.equal((await lib.item(restored)).location, 'review');
  assert.equal(await toastStarting(page, 'Undone').count(), 0);
  await page.getByTestId('confirm-no').click();
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(await trashed(), [kept], 'Cancel deletes nothing');
  assert.equal((await lib.item(kept)).location, 'trash');
  // With the dialog gone the same key takes the restore back.
  await page.keyboard.press('Control+z');
  await toastStarting(page, 'Undone: restored ').waitFor();
  assert.deepEqual(await trashed(), [...deleted].sort((a, b) => a - b));
});

test('a page that failed for an unreachable server loads by itself once the server answers', async () => {
  await go('#/gallery', 'Gallery');
  await page.getByTestId('tile').first().waitFor();
  await page.route('**/api/**', (r) => r.abort());
  let retried = 0;
  const onRequest = (r) => { if (/\/api\/stats/.test(r.url())) retried++; };
  try {
    await go('#/stats');
    const failed = page.getByTestId('page-failed');
    await failed.waitFor();
    assert.match(await failed.innerText(), /The server could not be reached/);
    await page.waitForTimeout(3000);   // a poll or more, still unanswered: the page stays as it is
    assert.equal(await failed.isVisible(), true);
    // The top bar no longer claims a state it cannot know.
    assert.equal(await page.locator('#sort-state').innerText(), 'Offline');
  } finally {
    // Counted from before the route is lifted (a retry sent at once was missed when the listener came after it), and
    // only requests the server answered: the aborted ones while it was unreachable finish as failed, not here.
    page.on('requestfinished', onRequest);
    await page.unroute('**/api/**');
  }
  await page.getByRole('heading', { level: 1, name: 'Statistics' }).waitFor({ timeout: 10000 });
  page.off('requestfinished', onRequest);
  assert.equal(await page.getByTestId('page-failed').count(), 0);
  assert.ok(retried >= 1, 'the page asked for its data again');
  assert.equal(await page.evaluate(() => location.hash), '#/stats');
  await page.locator('#sort-state', { hasText: /^Auto-sorting (on|paused)$/ }).waitFor();
});
