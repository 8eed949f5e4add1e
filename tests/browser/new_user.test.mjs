// What a new user meets on the pages at 1280 and 390 px wide, in headless Chromium against a real `triage serve`: each
// test one thing that puzzled or misled them, checked in the browser as they met it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, screenshot, currentCardId, toastStarting } from './harness.mjs';

let lib; let page;

before(async () => {
  // c.jpg is a byte copy of a.jpg: a duplicate waiting for review.
  lib = await openLibrary({ photos: [['obama.jpg', 'a.jpg'], ['biden.jpg', 'b.jpg'], ['obama.jpg', 'c.jpg'],
    ['obama2.jpg', 'd.jpg'], ['biden2.jpg', 'e.jpg'], ['skimage_astronaut.jpg', 'f.jpg'],
    ['skimage_coffee.jpg', 'g.jpg']] });
  ({ page } = lib);
  await page.setViewportSize({ width: 1280, height: 800 });
  await logIn(page);
});

after(async () => { await closeLibrary(lib); });

const personCard = (name) => page.locator(`[data-testid="person"][data-name="${name}"]`);

// A POST with the page's session, as another tab of the same user would send it; the answer's JSON.
async function post(p, data) {
  const { csrf_token: csrf } = await lib.api('/api/auth/session');
  const res = await lib.context.request.post(new URL(p, lib.baseUrl).toString(),
    { headers: { 'X-CSRF-Token': csrf }, data });
  assert.ok(res.ok(), `${p}: ${res.status()} ${await res.text()}`);
  return res.json();
}

// The photos waiting in `category`, oldest first.
const waiting = async (category) => (await lib.api(`/api/review/queue/${category}?per_page=200`)).items;

// The review page on `hash` in one mode ("single": one by one, or "grid"), loaded afresh in it: no card of the mode
// before is left to be typed into while the page draws anew.
async function review(hash, mode) {
  await page.evaluate((m) => sessionStorage.setItem('triage.review.mode', m), mode);
  await page.goto(`/${hash}`);
  await page.reload();
  await page.locator(mode === 'grid' ? '[data-testid="tile"]' : '[data-testid="review-card"]').first().waitFor();
}

test('Add person with an empty box says so; a person added has no reference faces and says that', async () => {
  await page.goto('/#/persons');
  await page.getByRole('heading', { name: 'Enrolled persons' }).waitFor();
  let posts = 0;
  const count = (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/persons') posts++; };
  page.on('request', count);
  await page.getByLabel('New person name').fill('   ');
  await page.getByRole('button', { name: 'Add person' }).click();
  await toastStarting(page, "Type the new person's name first.").waitFor();
  page.off('request', count);
  assert.equal(posts, 0, 'nothing was sent');
  assert.ok(await page.getByLabel('New person name').evaluate((el) => el === document.activeElement));

  await page.getByLabel('New person name').fill('Ada Lovelace');
  await page.getByRole('button', { name: 'Add person' }).click();
  await personCard('ada_lovelace').waitFor();
  await toastStarting(page, 'Added Ada Lovelace — no reference faces yet').waitFor();
  assert.equal(await page.getByTestId('toast-text').filter({ hasText: /Enrolled/ }).count(), 0);
});

test('an admin removes a person from their card: asked first, their photos stay, Undo brings them back', async () => {
  // A photo filed under her, to show that it stays where it is.
  await review('#/review/unidentified', 'single');
  const id = await currentCardId(page);
  await page.getByTestId('person-select').fill('Ada Lovelace');
  await page.getByTestId('person-select').press('Enter');
  await toastStarting(page, 'Sorted').waitFor();
  const filed = await lib.item(id);
  assert.match(filed.path, /^faces\/ada_lovelace\//);

  await page.goto('/#/persons');
  const card = personCard('ada_lovelace');
  await card.waitFor();
  await card.getByTestId('person-remove').click();
  const dialog = page.getByTestId('confirm-dialog');
  await dialog.waitFor();
  const said = await dialog.innerText();
  assert.match(said, /Remove Ada Lovelace\?/);
  assert.match(said, /disappears from the person pickers and from this list/);
  assert.match(said, /1 photo already sorted into faces\/ada_lovelace\/ stays where it is/);
  await screenshot(page, 'persons-remove-confirm');
  await dialog.getByTestId('confirm-no').click();
  assert.equal((await lib.api('/api/persons')).persons.length, 1, 'Cancel removes nobody');

  await card.getByTestId('person-remove').click();
  await page.getByTestId('confirm-yes').click();
  await toastStarting(page, 'Removed Ada Lovelace; their photos stay in faces/ada_lovelace/.').waitFor();
  await card.waitFor({ state: 'detached' });
  assert.equal((await lib.api('/api/persons')).persons.length, 0);
  const after = await lib.item(id);
  assert.equal(after.path, filed.path, 'the sorted photo stays where it is');
  assert.ok(fs.existsSync(path.join(lib.library, after.path)));

  await page.locator('.toast').getByRole('button', { name: 'Undo' }).click();
  await card.waitFor();
  assert.deepEqual((await lib.api('/api/persons')).persons.map((p) => p.name), ['ada_lovelace']);
});

test('a reviewer is offered no Remove', async () => {
  await post('/api/persons', { name: 'Sheldon' });
  lib.run(['user', 'add', 'reviewer', '--role', 'user'], 'reviewer-password-1\n');
  await page.goto('/#/persons');
  await page.getByRole('button', { name: 'Log out' }).click();
  try {
    await page.getByLabel('User name').fill('reviewer');
    await page.getByLabel('Password').fill('reviewer-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('reviewer · user').waitFor();
    await page.goto('/#/persons');
    await personCard('sheldon').waitFor();
    assert.equal(await page.getByTestId('person-remove').count(), 0);
  } finally {
    await page.getByRole('button', { name: 'Log out' }).click();
    await logIn(page, { inPlace: true });
  }
});

test('the grid offers no approving or keeping of duplicates, and says why', async () => {
  await review('#/review', 'grid');
  const tile = (category) => page.locator(`[data-testid="tile"][data-category="${category}"]`).first();
  const box = (category) => tile(category).locator('input[type=checkbox]');
  const note = page.getByTestId('bulk-duplicates-note');
  const filing = ['bulk-approve', 'bulk-keep', 'bulk-name-faces', 'bulk-person-select'];
  await tile('duplicates').waitFor();
  await box('unidentified').check();
  for (const id of filing) assert.ok(await page.getByTestId(id).isVisible(), `${id} is offered for a photo that is no duplicate`);
  assert.ok(await note.isHidden());

  await box('duplicates').check();
  for (const id of filing) assert.ok(await page.getByTestId(id).isHidden(), `${id} is not offered with a duplicate selected`);
  assert.ok(await page.getByTestId('bulk-reject').isVisible(), 'Delete is');
  assert.match(await note.innerText(), /^1 selected photo is a duplicate: approving or keeping it here could file a second copy of one picture/);
  await screenshot(page, 'review-grid-duplicates');
  // The grid's key for naming faces refuses too, saying why, and sends nothing.
  const sent = [];
  const onBulk = (r) => { if (r.url().endsWith('/api/review/bulk')) sent.push(r); };
  page.on('request', onBulk);
  await tile('duplicates').focus();
  await page.keyboard.press('n');
  await toastStarting(page, '1 selected photo is a duplicate').waitFor();
  page.off('request', onBulk);
  assert.equal(sent.length, 0);

  await box('duplicates').uncheck();
  assert.ok(await page.getByTestId('bulk-approve').isVisible(), 'offered again once no duplicate is selected');

  // On the Duplicates chip nothing that files a photo is offered, selected or not.
  await review('#/review/duplicates', 'grid');
  for (const id of filing) assert.ok(await page.getByTestId(id).isHidden(), `${id} is not offered on Duplicates`);
  assert.match(await note.innerText(), /^These are duplicates: approving or keeping them here could file a second copy of one picture/);
});

test('on a phone a duplicate\'s card says why it waits before the photos and the buttons; EXIF says which fields', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await review('#/review/duplicates', 'single');
    const card = page.getByTestId('review-card');
    const badge = await card.locator('.badge.cat-duplicates').boundingBox();
    const reason = card.getByTestId('reason');
    assert.match(await reason.innerText(), /identical file/i);
    const said = await reason.boundingBox();
    const firstImage = await card.locator('img').first().boundingBox();
    const table = await card.getByTestId('compare-table').boundingBox();
    const bar = await card.getByTestId('actions').boundingBox();
    assert.ok(badge.y < said.y && said.y + said.height <= firstImage.y,
      `badge ${badge.y}, reason ${said.y}–${said.y + said.height}, first photo ${firstImage.y}`);
    assert.ok(said.y + said.height <= table.y && said.y + said.height <= bar.y, 'before the table and the buttons');
    const exif = await card.locator('tr[data-attribute="EXIF"]').innerText();
    assert.doesNotMatch(exif, /of 2 fields/);
    assert.match(exif, /no EXIF on either|date taken|camera/);
    await screenshot(page, 'review-duplicate-card');
  } finally { await page.setViewportSize({ width: 1280, height: 800 }); }
});

test('the picker\'s list never covers Approve: a name typed, then Approve clicked with the mouse, approves as them', async () => {
  for (const name of ['Penny', 'Penny Blossom', 'Penny Hofstadter']) await post('/api/persons', { name });
  const overlap = (a, b) => !(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y);
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width, height });
    try {
      await review('#/review/unidentified', 'single');
      const id = await currentCardId(page);
      await page.getByTestId('person-select').fill('Penny');
      const list = page.getByTestId('person-options');
      await list.waitFor();
      assert.equal(await list.getByTestId('picker-option').count(), 3);
      const approve = page.getByTestId('approve');
      const [shown, button, bar] = [await list.boundingBox(), await approve.boundingBox(),
        await page.getByTestId('actions').boundingBox()];
      assert.ok(!overlap(shown, bar), `at ${width} px the list (${JSON.stringify(shown)}) covers the buttons ` +
        `(${JSON.stringify(bar)})`);
      assert.ok(shown.y >= 0 && shown.y + shown.height <= height, 'the list is on screen');
      await screenshot(page, 'review-picker-open');
      await page.mouse.click(button.x + button.width / 2, button.y + button.height / 2);
      await toastStarting(page, 'Sorted').waitFor();
      assert.equal((await lib.item(id)).person, 'penny');
    } finally { await page.setViewportSize({ width: 1280, height: 800 }); }
  }
});

let leonard = 0;   // a library photo of Leonard's, the current image of a proposal

test('proposals in words: decisions named apart from the archive, reasons and statuses, scores on 0–10', async () => {
  const [current, proposed] = (await waiting('unidentified')).map((i) => i.id);
  leonard = current;
  lib.run(['review', 'approve', String(current), '--person', 'Leonard']);
  const id = JSON.parse(lib.run(['proposals', 'add', String(current), String(proposed), '--json'])).id;
  await page.goto('/#/proposals');
  const detail = page.getByTestId('proposal-detail');
  await detail.waitFor();
  assert.deepEqual(await detail.locator('.actions button').allInnerTexts(),
    ['Close without applying', 'Deny', 'Approve & apply']);
  assert.match(await detail.locator('h2').innerText(), new RegExp(`Proposal ${id}: Proposed by hand · Waiting`));
  assert.deepEqual((await page.locator('.proposal-queue thead th').allInnerTexts()).map((t) => t.trim()),
    ['', 'Proposal', 'Reason', 'Status', 'Person', 'Score (0–10)', 'Proposed']);
  const row = page.getByTestId('proposal-row').first();
  const text = await row.innerText();
  assert.match(text, /Proposed by hand/);
  assert.match(text, /Waiting/);
  assert.doesNotMatch(text, /\bmanual\b|\bpending\b/);
  assert.equal(await row.locator('[data-code="manual"]').count(), 1, 'the code stays as data');
  assert.deepEqual((await page.locator('select[name="status"] option').allInnerTexts()).slice(0, 2),
    ['All statuses', 'Waiting']);
  assert.equal(await page.locator('select[name="reason"] option').first().innerText(), 'All reasons');
  assert.equal(await page.getByTestId('batch-archive').innerText(), 'Close selected without applying');
  // The score as the gallery shows it: 0–10, one decimal.
  const raw = (await lib.api(`/api/proposals/${id}`)).proposed.score;
  const score = (await row.locator('td').nth(5).innerText()).replace('Score', '').trim();
  assert.equal(score, (Math.round(raw) / 10).toFixed(1));
  assert.equal((await detail.getByTestId('proposed-quality').innerText()).replace(/ ▲$/, '').trim(), score);
  await screenshot(page, 'proposals-words');

  // Closing without applying puts the proposal aside; nothing moves.
  await detail.getByTestId('proposal-archive').click();
  await toastStarting(page, `Proposal ${id} closed without applying.`).waitFor();
  assert.equal((await lib.item(current)).location, 'library');
});

test('a person\'s recent photos are shown once, each with its own "Propose as cover"', async () => {
  await page.goto('/#/persons');
  const card = personCard('leonard');
  await card.waitFor();
  const shown = await card.locator('.recent-photos img, .thumb-row img, .cover-choices img')
    .evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src')));
  assert.ok(shown.length >= 1);
  assert.equal(new Set(shown).size, shown.length, `a photo shown twice: ${shown}`);
  const photo = card.locator(`[data-testid="recent-photo"][data-item-id="${leonard}"]`);
  await photo.getByRole('button', { name: `Propose as cover: photo #${leonard} for Leonard` }).click();
  await toastStarting(page, 'Cover proposal').waitFor();
  await screenshot(page, 'persons-recent');
  // The audit log says what was proposed, for whom: a cover has no item it replaces.
  await page.goto('/#/audit');
  await page.getByText(`proposed item ${leonard} as Leonard's cover`).first().waitFor();
  assert.equal(await page.getByText('proposed a replacement for :').count(), 0);
});

test('the gallery\'s score panel shows each measure\'s name in full and says which number is the weight', async () => {
  await page.goto('/#/gallery');
  const tile = page.getByTestId('tile').first();
  await tile.waitFor();
  await tile.hover();
  const bars = tile.getByTestId('score-bars');
  await bars.waitFor({ state: 'visible' });
  const names = bars.locator('.score-bar-name');
  assert.ok((await names.allInnerTexts()).includes('Dynamic range'));
  const cut = await names.evaluateAll((els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1)
    .map((el) => el.textContent));
  assert.deepEqual(cut, [], 'names cut off');
  // Nor broken inside a word ("Compositio" / "n"): each word of a name lies on one line.
  const broken = await names.evaluateAll((els) => els.flatMap((el) => {
    const text = el.firstChild;
    if (!text || text.nodeType !== Node.TEXT_NODE) return [];
    const out = [];
    let at = 0;
    for (const word of text.textContent.split(' ')) {
      const range = document.createRange();
      range.setStart(text, at);
      range.setEnd(text, at + word.length);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (lines.size > 1) out.push(word);
      at += word.length + 1;
    }
    return out;
  }));
  assert.deepEqual(broken, [], 'words broken across lines');
  const text = await bars.innerText();
  assert.match(text, /weight/);
  assert.doesNotMatch(text, /×/);
  await screenshot(page, 'gallery-score-panel');
});

test('the audit log names each photo\'s file beside its number', async () => {
  await page.goto('/#/audit');
  const lines = page.getByTestId('audit-row');
  await lines.first().waitFor();
  await lines.filter({ hasText: /took in item \d+ \([a-g]\.jpg\)/ }).first().waitFor();
  await lines.filter({ hasText: /approved item \d+ \([a-g]\.jpg\) as Ada Lovelace — review\/\w+ → faces\/ada_lovelace/ }).first().waitFor();
});

test('the public page: pressing the pressed vote again takes it back', async () => {
  lib.run(['public', String(leonard)]);
  await page.goto('/vote.html');
  const card = page.locator(`[data-testid="vote-image"][data-item-id="${leonard}"]`);
  await card.waitFor();
  const pressed = (which, on) => card.locator(`[data-testid="vote-${which}"][aria-pressed="${on}"]`).waitFor();
  await card.getByTestId('vote-up').click();
  await pressed('up', true);
  assert.match(await card.getByTestId('vote-counts').innerText(), /▲ 1 ·/);
  await card.getByTestId('vote-up').click();
  await pressed('up', false);
  await toastStarting(page, 'Your vote is taken back.').waitFor();
  assert.match(await card.getByTestId('vote-counts').innerText(), /▲ 0 · ▼ 0/);
  await page.reload();
  await pressed('up', false);
  // The other button still changes the vote rather than taking it back.
  await card.getByTestId('vote-down').click();
  await pressed('down', true);
  await card.getByTestId('vote-up').click();
  await pressed('up', true);
  await pressed('down', false);
  assert.match(await card.getByTestId('vote-counts').innerText(), /▲ 1 · ▼ 0/);
});

test('a photo sorted under a person added on the card, and its undo, say the person as written', async () => {
  await review('#/review/unidentified', 'single');
  const id = await currentCardId(page);
  const file = path.basename((await lib.item(id)).path);
  await page.getByTestId('person-new').fill('Brand New Guy');
  await page.getByTestId('person-new').press('Enter');
  await toastStarting(page, `Sorted ${file} under Brand New Guy (faces/brand_new_guy/).`).waitFor();
  assert.equal((await lib.item(id)).person, 'brand_new_guy');
  await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).click();
  await toastStarting(page, `Undone: sorted ${file} under Brand New Guy (faces/brand_new_guy/).`).waitFor();
  assert.equal((await lib.item(id)).location, 'review');
});

test('a group photo\'s face rows: a row\'s list of names never covers its own buttons nor the card\'s', async () => {
  const group = await openLibrary({
    configure: (config) => { config.analysis.faces = true; },
    persons: [['ada', 'obama.jpg']],
    photos: [['vladmandic_sample1.jpg', 'group.jpg']],
    // Names enough for a long list.
    prepare: (library) => execFileSync('sqlite3', [path.join(library, '.triage/catalog.db')], { input: 'INSERT INTO ' +
      "persons (name, created_at) VALUES ('pam', 0), ('pat', 0), ('paul', 0), ('penny', 0), ('peter', 0), ('pia', 0);" }),
  });
  const p = group.page;
  const overlap = (a, b) => !(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y);
  try {
    await logIn(p);
    for (const [width, height] of [[1280, 800], [390, 844]]) {
      await p.setViewportSize({ width, height });
      await p.evaluate(() => sessionStorage.setItem('triage.review.mode', 'single'));
      await p.goto('/#/review/multiple_faces');
      await p.reload();
      const rows = p.getByTestId('face-row');
      await rows.first().waitFor();
      const count = await rows.count();
      assert.ok(count >= 2, `${count} face rows`);
      for (let i = 0; i < count; i++) {
        const row = rows.nth(i);
        const input = row.getByRole('combobox');
        await input.scrollIntoViewIfNeeded();
        await input.fill('p');
        const list = row.getByRole('listbox');
        await list.waitFor();
        const shown = await list.boundingBox();
        for (const [what, el] of [['Name', row.getByTestId('face-name')], ['Not tracked', row.getByTestId('face-untracked')],
          ['the card\'s buttons', p.getByTestId('actions')]]) {
          const box = await el.boundingBox();
          assert.ok(!overlap(shown, box), `at ${width} px the list of face ${i + 1} (${JSON.stringify(shown)}) covers ` +
            `${what} (${JSON.stringify(box)})`);
        }
        await input.fill('');
        await p.keyboard.press('Escape');
      }
      await screenshot(p, `face-row-picker-${width}`);
    }
  } finally { await closeLibrary(group); }
});

test('a person whose name is written in another script is found by that name: the whitelist takes it as hers', async () => {
  const added = await post('/api/persons', { name: 'Ольга' });
  assert.equal(added.person.name, 'olga', JSON.stringify(added));
  await page.goto('/#/settings');
  const area = page.getByTestId('whitelist-input');
  // The answer to the whitelist's save (a toast of an earlier save may still be showing).
  const saved = () => page.waitForResponse((r) => r.request().method() === 'PUT'
    && new URL(r.url()).pathname === '/api/config/whitelist' && r.ok());
  await area.waitFor();
  try {
    // Typed in capitals, as nobody's folder name: still Ольга, enrolled, so no "not an enrolled person" warning.
    await area.fill('ОЛЬГА');
    await Promise.all([saved(), page.getByTestId('save-whitelist').click()]);
    await toastStarting(page, 'Saved the whitelist').waitFor();
    assert.equal(await page.getByTestId('whitelist-warning').getByText('is not an enrolled person').count(), 0);
    assert.deepEqual((await lib.api('/api/config')).whitelist, ['olga']);
    // A name nobody can have is said at once, without a "Save anyway" the server would refuse; nothing is sent.
    let puts = 0;
    const count = (r) => { if (r.method() === 'PUT') puts++; };
    page.on('request', count);
    await area.fill('ОЛЬГА\n🎉');
    await page.getByTestId('save-whitelist').click();
    await page.getByTestId('whitelist-warning')
      .filter({ hasText: '“🎉” cannot be a name: a name is letters of any script and digits' }).waitFor();
    assert.equal(await page.getByTestId('save-anyway').count(), 0);
    page.off('request', count);
    assert.equal(puts, 0);
    assert.deepEqual((await lib.api('/api/config')).whitelist, ['olga']);
  } finally {
    await area.fill('');
    await Promise.all([saved(), page.getByTestId('save-whitelist').click()]);
  }
  assert.deepEqual((await lib.api('/api/config')).whitelist, []);
});

test('settings: names typed while the page draws itself anew after a save are kept, in the list just saved too', async () => {
  await page.goto('/#/settings');
  const white = page.getByTestId('whitelist-input');
  const black = page.getByTestId('blacklist-input');
  await white.waitFor();
  // The answer the redraw after the save waits for is held back until both lists were typed in again.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  let saving = false;
  const hold = async (route) => {
    if (saving) await held;
    await route.continue();
  };
  await page.route('**/api/persons', hold);
  try {
    await white.fill('Ada Lovelace');
    const put = page.waitForResponse((r) => r.request().method() === 'PUT'
      && new URL(r.url()).pathname === '/api/config/whitelist' && r.ok());
    saving = true;
    await Promise.all([put, page.getByTestId('save-whitelist').click()]);
    await toastStarting(page, 'Saved the whitelist').waitFor();
    await white.fill('Ada Lovelace\nBrand New Guy');
    await black.fill('Nobody Yet');
    await white.evaluate((el) => { el.dataset.before = 'yes'; });
    release();
    // The page drawn anew shows what was typed, not the list as saved nor an empty blacklist.
    await page.waitForFunction(() => document.querySelector('[data-testid="whitelist-input"]')?.dataset.before !== 'yes');
    assert.equal(await white.inputValue(), 'Ada Lovelace\nBrand New Guy');
    assert.equal(await black.inputValue(), 'Nobody Yet');
    assert.equal(await white.getAttribute('data-drawn'), 'Ada Lovelace', 'the list as saved');
    assert.deepEqual((await lib.api('/api/config')).whitelist, ['ada_lovelace']);
  } finally {
    release();
    saving = false;
    await page.unroute('**/api/persons', hold);
    // Nothing left unsaved to ask about on leaving; the whitelist emptied again.
    await page.evaluate(() => document.querySelectorAll('[data-drawn]').forEach((el) => { el.value = el.dataset.drawn; }));
    await page.goto('/#/review');
    const { csrf_token: csrf } = await lib.api('/api/auth/session');
    await lib.context.request.put(new URL('/api/config/whitelist', lib.baseUrl).toString(),
      { headers: { 'X-CSRF-Token': csrf }, data: { names: [] } });
  }
});
