// Proposals and public votes in headless Chromium against a real `triage serve` on 127.0.0.1: two anonymous votes
// from one session count once (the second replaces the first) and show on the admin's review card, gallery score
// panel and proposals page; the admin approves from the side-by-side view and the files and the audit log change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openLibrary, closeLibrary, logIn, screenshot, toastStarting } from './harness.mjs';

let lib; let library; let page;
let current; let proposed; let proposalId;

before(async () => {
  lib = await openLibrary({ photos: [['obama.jpg', 'a_obama.jpg'], ['biden.jpg', 'b_biden.jpg']] });
  ({ library, page } = lib);
  const pending = JSON.parse(lib.run(['review', 'list', '--json']));
  [current, proposed] = pending.map((item) => item.id);
  lib.run(['review', 'approve', String(current), '--person', 'Ada']);
  proposalId = JSON.parse(lib.run(['proposals', 'add', String(current), String(proposed), '--json'])).id;
  lib.run(['public', String(current)]);
});

after(async () => { await closeLibrary(lib); });

test('anonymous votes, then approving a proposal side by side', async () => {
  // The public page, without logging in.
  await lib.context.clearCookies();
  await page.goto('/vote.html');
  const card = page.getByTestId('vote-image');
  await card.waitFor();
  assert.equal(await card.count(), 1);
  assert.equal(Number(await card.getAttribute('data-item-id')), current);
  await screenshot(page, 'vote');
  // A double click on a fresh page is one vote: the page's list set the voter cookie, and the buttons wait for the
  // answer. (The two clicks used to carry no cookie, so each was a new anonymous voter, and the count read 2.)
  const votes = [];
  const onVote = (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/votes')) votes.push(r); };
  page.on('request', onVote);
  await card.getByTestId('vote-up').dblclick();
  await card.getByTestId('vote-counts').filter({ hasText: '▲ 1 · ▼ 0' }).waitFor();
  page.off('request', onVote);
  assert.equal(votes.length, 1, 'one vote sent for a double click');
  assert.equal(await card.getByTestId('vote-up').getAttribute('aria-pressed'), 'true', 'the own vote is marked');
  assert.equal(await card.getByTestId('vote-down').getAttribute('aria-pressed'), 'false');
  await page.reload();                            // the own vote is still marked: the server says which it is
  await card.getByTestId('vote-counts').filter({ hasText: '▲ 1 · ▼ 0' }).waitFor();
  assert.equal(await card.getByTestId('vote-up').getAttribute('aria-pressed'), 'true');
  await page.locator('#leaderboard li').filter({ hasText: 'anonymous voter 1: 1' }).waitFor();
  assert.equal(await page.locator('#leaderboard li').count(), 1, 'one contributor');
  await card.getByTestId('vote-down').click();   // the same session: replaces the first vote
  await card.getByTestId('vote-counts').filter({ hasText: '▲ 0 · ▼ 1' }).waitFor();
  assert.equal(await card.getByTestId('vote-down').getAttribute('aria-pressed'), 'true');
  assert.equal(await card.getByTestId('vote-up').getAttribute('aria-pressed'), 'false');
  // The flag form stays within its card (its text box sat on the photo's corner, the list stuck out).
  await card.locator('summary').click();
  const box = await card.boundingBox();
  const photo = await card.locator('img').boundingBox();
  for (const control of [card.getByLabel(/^What is wrong/), card.getByLabel(/^Details for/), card.getByTestId('vote-flag')]) {
    const b = await control.boundingBox();
    assert.ok(b.x >= box.x && b.x + b.width <= box.x + box.width + 0.5, 'a flag control sticks out of its card');
    assert.ok(b.y >= photo.y + photo.height, 'a flag control lies on the photo');
  }
  await screenshot(page, 'vote-flag-open');
  const html = await page.content();
  assert.ok(!html.includes('faces/') && !html.includes('a_obama'), 'the public page shows a path or a file name');

  // The admin sees the community score on the review card (the proposed image: no votes) and in the gallery's
  // "why this score" panel (the voted image), then on the proposals page, compares and approves.
  await logIn(page);
  await page.goto('/#/review');
  const reviewCard = page.getByTestId('review-card');
  await reviewCard.waitFor();
  assert.equal(Number(await reviewCard.getAttribute('data-item-id')), proposed);
  assert.match(await reviewCard.getByTestId('community').innerText(), /^Community: no votes yet$/);
  await page.goto('/#/gallery');
  await page.getByTestId('tile').first().click();
  const why = page.getByTestId('why');
  await why.waitFor();
  assert.match(await why.getByTestId('community').innerText(), /Community -1\.5 · ▲ 0 ▼ 1 · 0 flags/);
  await page.keyboard.press('Escape');
  await page.getByTestId('loupe').waitFor({ state: 'detached' });
  await page.goto('/#/proposals');
  const detail = page.getByTestId('proposal-detail');
  await detail.waitFor();
  assert.equal(Number(await detail.getAttribute('data-proposal-id')), proposalId);
  // The proposal shown is the one marked in the list, before any was chosen.
  assert.equal(await page.locator(`[data-testid="proposal-row"][data-proposal-id="${proposalId}"]`)
    .getAttribute('class'), 'active');
  assert.equal((await page.getByTestId('current-community').innerText()).trim(), '-1.5');
  assert.ok(await page.locator('.compare-table td.better').count() > 0, 'no better value is marked');
  // Sharpness reads as on the review card and in the gallery: each side's 0-10 score among the library's photos, the
  // sharper one marked.
  const sharpness = [await page.getByTestId('current-sharpness').innerText(), await page.getByTestId('proposed-sharpness').innerText()];
  const scores = [];
  for (const id of [current, proposed]) scores.push((await lib.item(id)).quality.dimensions.sharpness.score);
  assert.deepEqual(sharpness.map((t) => t.replace(' ▲', '').trim()), scores.map((v) => `${v.toFixed(1)} of 10`));
  assert.equal(sharpness.filter((t) => t.endsWith('▲')).length, 1, sharpness.join(' | '));
  assert.ok(sharpness[scores[0] > scores[1] ? 0 : 1].endsWith('▲'), sharpness.join(' | '));
  await screenshot(page, 'proposals');
  const before = JSON.parse(lib.run(['items', '--json', '--limit', '100']));
  const oldPath = before.find((i) => i.id === current).path;
  const newPath = before.find((i) => i.id === proposed).path;
  await page.getByLabel('Review note').fill('sharper');
  const decisions = [];
  const onRequest = (r) => { if (r.method() === 'POST' && /\/api\/proposals\/\d+\/approve$/.test(r.url())) decisions.push(r); };
  page.on('request', onRequest);
  await page.getByTestId('proposal-approve').dblclick();   // a double click decides once
  await page.getByText(`Proposal ${proposalId} approved.`).waitFor();
  page.off('request', onRequest);
  assert.equal(decisions.length, 1, 'one request for a double click');

  assert.ok(!fs.existsSync(path.join(library, oldPath)), 'the old image is still in its slot');
  assert.ok(!fs.existsSync(path.join(library, newPath)), 'the proposed image is still in review');
  const after = JSON.parse(lib.run(['items', '--json', '--limit', '100']));
  const archived = after.find((i) => i.id === current);
  const promoted = after.find((i) => i.id === proposed);
  assert.equal(archived.location, 'archive');
  assert.ok(fs.existsSync(path.join(library, archived.path)), 'the archived file is missing');
  assert.equal(promoted.person, 'ada');
  assert.ok(fs.existsSync(path.join(library, promoted.path)), 'the promoted file is missing');
  const audit = await lib.api(`/api/audit?item_id=${proposed}`);
  const replaced = audit.entries.find((e) => e.action === 'replaced');
  assert.ok(replaced, 'no replaced entry in the audit log');
  assert.equal(replaced.from, oldPath);
  assert.equal(replaced.to, promoted.path);
  const shown = JSON.parse(lib.run(['proposals', 'show', String(proposalId), '--json']));
  assert.equal(shown.status, 'approved');
  assert.equal(shown.review_notes, 'sharper');

  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'proposals');
  await page.setViewportSize({ width: 1440, height: 900 });
});

test('a cover proposed from the Persons page, approved side by side, shows on the Persons page', async () => {
  await page.goto('/#/persons');
  const ada = page.locator('[data-testid="person"][data-name="ada"]');
  await ada.waitFor();
  assert.equal(await ada.getByTestId('person-cover').count(), 0);
  // The choice sits under the photo itself (shown once, among the recent photos), not a bare number.
  const choice = ada.getByTestId(`propose-cover-${proposed}`);
  const photo = ada.locator(`[data-testid="recent-photo"][data-item-id="${proposed}"]`);
  assert.equal(await photo.locator('img').getAttribute('src'), `/api/items/${proposed}/thumbnail?size=160`);
  assert.equal(await choice.getAttribute('aria-label'), `Propose as cover: photo #${proposed} for Ada`);
  await page.waitForFunction((id) => document.querySelector(`[data-testid="recent-photo"][data-item-id="${id}"] img`)
    ?.naturalWidth > 0, proposed);
  await choice.click();
  await page.getByText(/Cover proposal \d+ made/).waitFor();
  await page.goto('/#/proposals');
  const detail = page.getByTestId('proposal-detail');
  await detail.waitFor();
  assert.match(await detail.innerText(), /Cover of Ada · proposed by/);
  assert.equal((await page.locator('.proposal-queue tbody tr').first().locator('td').nth(4).innerText()).trim(), 'Ada');
  assert.match(await detail.innerText(), /No cover yet/);
  const coverId = Number(await detail.getAttribute('data-proposal-id'));
  await page.getByTestId('proposal-approve').click();
  await page.getByText(`Proposal ${coverId} approved.`).waitFor();
  await page.goto('/#/persons');
  const cover = page.locator('[data-testid="person"][data-name="ada"] [data-testid="person-cover"]');
  await cover.waitFor();
  assert.equal(Number(await cover.getAttribute('data-item-id')), proposed);
  await screenshot(page, 'persons-cover');
  const shown = JSON.parse(lib.run(['proposals', 'show', String(coverId), '--json']));
  assert.equal(shown.status, 'approved');
  assert.equal(shown.slot, 'cover:ada');
});

test('the filters live in the address; decided proposals offer no batch; Ctrl-Z takes back the newest decision', async () => {
  const status = page.locator('select[name="status"]');
  await page.goto('/#/proposals?status=approved');
  await page.getByTestId('proposal-detail').waitFor();
  assert.equal(await status.inputValue(), 'approved');
  assert.equal(await page.getByTestId('batch-approve').count(), 0, 'no batch over decided proposals');
  await status.selectOption('');
  await page.waitForFunction(() => location.hash === '#/proposals?status=');
  await page.reload();
  await page.getByTestId('proposal-detail').waitFor();
  assert.equal(await status.inputValue(), '', 'a reload keeps "All statuses"');
  // A value the page does not know is said, not quietly replaced.
  await page.goto('/#/proposals?status=bogus');
  await toastStarting(page, 'Left out of the link: status "bogus"').waitFor();
  assert.equal(await status.inputValue(), 'pending');

  // Ctrl-Z on the page takes back the newest decision made here: the cover's approval.
  const cover = JSON.parse(lib.run(['proposals', 'list', '--status', 'approved', '--json']));
  const coverId = (cover.proposals ?? cover).find((p) => p.slot === 'cover:ada').id;
  await page.goto('/#/proposals');
  await page.locator('[data-page="proposals"] h1').waitFor();
  await page.keyboard.press('Control+z');
  await toastStarting(page, 'Undone: ').waitFor();
  assert.equal(JSON.parse(lib.run(['proposals', 'show', String(coverId), '--json'])).status, 'pending');
  // Approved again, as the next tests expect.
  const detail = page.locator(`[data-testid="proposal-detail"][data-proposal-id="${coverId}"]`);
  await detail.waitFor();
  await detail.getByTestId('proposal-approve').click();
  await page.getByText(`Proposal ${coverId} approved.`).waitFor();
  assert.equal(JSON.parse(lib.run(['proposals', 'show', String(coverId), '--json'])).status, 'approved');
});

test('with nothing pending, the proposals page says what a proposal is and runs the workflows on request', async () => {
  await page.goto('/#/proposals');
  const empty = page.getByTestId('proposals-empty');
  await empty.waitFor();
  assert.match(await empty.innerText(), /No proposals waiting for a decision/);
  assert.match(await empty.innerText(), /never changes until someone approves/);
  await screenshot(page, 'proposals-empty');
  const runs = [];
  const onRequest = (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/proposals/run')) runs.push(r); };
  page.on('request', onRequest);
  await empty.getByTestId('run-workflows').click();
  const said = page.getByTestId('toast-text').filter({ hasText: /^(Found \d+ new proposals?|The workflows ran and found nothing new to propose)\.$/ });
  await said.first().waitFor();
  page.off('request', onRequest);
  assert.equal(runs.length, 1);
  // What the toast counts is what the queue lists now.
  const text = await said.first().innerText();
  const found = /^Found (\d+)/.exec(text);
  const pending = JSON.parse(lib.run(['proposals', 'list', '--status', 'pending', '--json']));
  assert.equal((pending.proposals ?? pending).length, found ? Number(found[1]) : 0);
});

test('a batch decides only proposals listed: a tick on one the filters hide is dropped', async () => {
  const own = await openLibrary({ photos: [['obama.jpg', 'a.jpg'], ['biden.jpg', 'b.jpg'], ['obama2.jpg', 'c.jpg']] });
  try {
    const [slot, first, second] = JSON.parse(own.run(['review', 'list', '--json'])).map((item) => item.id);
    own.run(['review', 'approve', String(slot), '--person', 'Ada']);
    const manual = JSON.parse(own.run(['proposals', 'add', String(slot), String(first), '--json'])).id;
    const better = JSON.parse(own.run(['proposals', 'add', String(slot), String(second), '--reason', 'better_quality',
      '--json'])).id;
    const p = own.page;
    await logIn(p);
    await p.goto('/#/proposals');
    await p.getByLabel(`Select proposal ${manual}`).check();
    await p.getByLabel('Reason').selectOption('better_quality');
    await p.getByLabel(`Select proposal ${manual}`).waitFor({ state: 'detached' });
    await p.getByLabel(`Select proposal ${better}`).waitFor();
    const sent = [];
    p.on('request', (r) => { if (r.url().endsWith('/api/proposals/batch')) sent.push(r.postDataJSON()); });
    await p.getByRole('button', { name: 'Deny selected' }).click();
    await p.getByTestId('toast-text').filter({ hasText: 'Tick the proposals to decide first.' }).waitFor();
    assert.deepEqual(sent, [], 'nothing was sent');
    assert.equal(JSON.parse(own.run(['proposals', 'show', String(manual), '--json'])).status, 'pending');
  } finally { await closeLibrary(own); }
});
