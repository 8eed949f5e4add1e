// The review UI in headless Chromium against a real `triage serve` on 127.0.0.1: log in, approve an item as a new
// person, reject one, bulk-approve three, open a side-by-side duplicate, change the whitelist; then check the files
// on disk and the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const triage = process.env.TRIAGE_BIN;
const sourceDir = process.env.TRIAGE_SOURCE_DIR || path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(sourceDir, 'tests/fixtures/faces');
const USER = 'tester';
const PASSWORD = 'browser-test-password';

let tmp; let library; let server; let baseUrl; let context; let page;

function run(args, input) {
  return execFileSync(triage, ['--library', library, ...args], { input, encoding: 'utf8' });
}

// Starts `triage serve` on a free port and resolves with its URL once it prints it.
function startServer() {
  return new Promise((resolve, reject) => {
    server = spawn(triage, ['--library', library, 'serve', '--host', '127.0.0.1', '--port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/on (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.stderr.on('data', (d) => { out += d; });
    server.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

async function api(p) {
  const res = await context.request.get(new URL(p, baseUrl).toString());
  assert.equal(res.status(), 200, `${p}: ${await res.text()}`);
  return res.json();
}

before(async () => {
  assert.ok(triage, 'TRIAGE_BIN must name the triage binary');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-browser-'));
  library = path.join(tmp, 'library');
  run(['init']);
  // Face analysis off: the test is about the UI; every photo then waits for review as unidentified.
  const configPath = path.join(library, 'triage.json');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  config.analysis.faces = false;
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2));
  const inbox = path.join(tmp, 'incoming');
  fs.mkdirSync(inbox);
  const photos = ['obama.jpg', 'biden.jpg', 'skimage_coffee.jpg', 'skimage_astronaut.jpg', 'obama2.jpg',
    'biden2.jpg', 'vladmandic_sample1.jpg'];
  photos.forEach((p, i) => fs.copyFileSync(path.join(fixtures, p), path.join(inbox, `${i}_${p}`)));
  fs.copyFileSync(path.join(fixtures, 'obama.jpg'), path.join(inbox, '9_obama_copy.jpg'));  // an exact duplicate
  run(['ingest', '--source', 'browser-test', inbox]);
  run(['user', 'add', USER, '--role', 'admin'], `${PASSWORD}\n`);
  baseUrl = await startServer();
  context = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    baseURL: baseUrl,
    acceptDownloads: true,
  });
  page = context.pages()[0] || await context.newPage();
});

after(async () => {
  if (context) await context.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function currentCardId() {
  const card = page.getByTestId('review-card');
  await card.waitFor();
  return Number(await card.getAttribute('data-item-id'));
}

async function waitForCardChange(previousId) {
  await page.waitForFunction((id) => {
    const card = document.querySelector('[data-testid="review-card"]');
    return card && Number(card.dataset.itemId) !== id;
  }, previousId, { polling: 100 });
}

test('review workflow in the browser', async () => {
  await page.goto('/');
  await page.getByLabel('User name').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText(`${USER} · admin`).waitFor();

  // The queue: 8 photos, "1 of 8", chips with counts.
  await assert.doesNotReject(page.getByTestId('position').filter({ hasText: '1 of 8' }).waitFor());
  assert.match(await page.locator('.chip[data-category="duplicates"]').innerText(), /1/);

  // Approve the first as a new person.
  const approvedId = await currentCardId();
  await page.getByTestId('person-new').fill('Test Person');
  await page.getByTestId('approve').click();
  await waitForCardChange(approvedId);

  // Reject the next one with the keyboard shortcut.
  const rejectedId = await currentCardId();
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('d');
  await waitForCardChange(rejectedId);
  await page.getByTestId('position').filter({ hasText: '1 of 6' }).waitFor();

  // Bulk-approve three (not the duplicate) as the now-existing person.
  await page.getByTestId('grid-mode').click();
  const tiles = page.locator('[data-testid="tile"]:not([data-category="duplicates"])');
  await tiles.first().waitFor();
  const bulkIds = [];
  for (let i = 0; i < 3; i++) {
    const tile = tiles.nth(i);
    bulkIds.push(Number(await tile.getAttribute('data-item-id')));
    await tile.locator('input[type=checkbox]').check();
  }
  await page.getByTestId('selected-count').filter({ hasText: '3 selected' }).waitFor();
  await page.getByTestId('bulk-person-select').selectOption('test_person');
  await page.getByTestId('bulk-approve').click();
  await page.locator('[data-testid="tile"]').nth(2).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 3, null,
    { polling: 100 });

  // The duplicate, side by side with the photo it duplicates (approved above).
  await page.locator('.chip[data-category="duplicates"]').click();
  await page.getByRole('button', { name: 'One by one' }).click();
  const pair = page.getByTestId('side-by-side');
  await pair.waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="side-by-side"] img')]
    .every((img) => img.complete && img.naturalWidth > 0), null, { polling: 100 });
  assert.equal(await pair.locator('img').count(), 2);
  assert.match(await page.getByTestId('existing-image').innerText(), new RegExp(`item ${approvedId}`));
  assert.match(await pair.innerText(), /Resolution/);

  // Change the whitelist in the settings.
  await page.locator('#nav a[data-page="settings"]').click();
  await page.getByTestId('whitelist-input').fill('Test Person\nsomeone_else');
  await page.getByTestId('save-whitelist').click();
  await page.getByText('Saved the whitelist (2 name(s)).').waitFor();

  // Files on disk.
  const approved = (await api(`/api/items/${approvedId}`)).item;
  assert.equal(approved.location, 'library');
  assert.equal(path.dirname(approved.path), 'faces/test_person');
  assert.ok(fs.existsSync(path.join(library, approved.path)));
  const rejected = (await api(`/api/items/${rejectedId}`)).item;
  assert.equal(rejected.location, 'trash');
  assert.ok(rejected.path.startsWith('.triage/trash/'));
  assert.ok(fs.existsSync(path.join(library, rejected.path)));
  for (const id of bulkIds) {
    const item = (await api(`/api/items/${id}`)).item;
    assert.equal(path.dirname(item.path), 'faces/test_person', `item ${id}`);
    assert.ok(fs.existsSync(path.join(library, item.path)), `item ${id} on disk`);
  }
  const inReview = fs.readdirSync(path.join(library, 'review'), { recursive: true })
    .filter((f) => /\.(jpe?g|png)$/i.test(f));
  assert.equal(inReview.length, 3);
  const config = JSON.parse(fs.readFileSync(path.join(library, 'triage.json'), 'utf8'));
  assert.deepEqual(config.whitelist, ['test_person', 'someone_else']);

  // The audit log names the reviewer for every decision and the config change.
  const audit = async (id) => (await api(`/api/audit?item_id=${id}`)).entries[0];
  assert.deepEqual([(await audit(approvedId)).action, (await audit(approvedId)).actor], ['approve', USER]);
  assert.equal((await audit(approvedId)).to, 'faces/test_person');
  assert.deepEqual([(await audit(rejectedId)).action, (await audit(rejectedId)).actor], ['reject', USER]);
  for (const id of bulkIds) assert.equal((await audit(id)).action, 'approve');
  const configEntries = (await api(`/api/audit?actor=${USER}`)).entries.filter((e) => e.action === 'config');
  assert.equal(configEntries.length, 1);
  assert.equal(configEntries[0].to, '["test_person","someone_else"]');
});
