// The whitelist and blacklist, and the audit log in words, in headless Chromium against a real `triage serve`: a
// person ticked onto one list leaves the other, and the toast says so (an emptied whitelist sorts everybody
// automatically again); Ctrl-Z takes it back with the focus still on the check box; the Settings page's lists offer
// Undo; the audit log says what was done to users and what an undone change of the lists held.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openLibrary, closeLibrary, logIn, screenshot, toastStarting } from './harness.mjs';

let lib; let page;

before(async () => {
  lib = await openLibrary({ photos: [['obama.jpg', 'a.jpg']], persons: [['ada', 'obama.jpg']],
    configure: (c) => { c.analysis.faces = true; } });
  ({ page } = lib);
  await logIn(page);
});

after(async () => { await closeLibrary(lib); });

const lists = async () => {
  const config = await lib.api('/api/config');
  return { whitelist: config.whitelist, blacklist: config.blacklist };
};
const toastSaying = (pattern) => page.getByTestId('toast-text').filter({ hasText: pattern });

test('a person ticked onto the blacklist leaves the whitelist, and the toast says what that means', async () => {
  await page.goto('/#/persons');
  const card = page.locator('[data-testid="person"][data-name="ada"]');
  await card.waitFor();
  await card.getByTestId('whitelist-ada').check();
  await toastSaying(/added to the whitelist: only \S+ is sorted automatically now/).waitFor();
  assert.deepEqual(await lists(), { whitelist: ['ada'], blacklist: [] });

  await card.getByTestId('blacklist-ada').check();
  const said = toastSaying(/added to the blacklist; \S+ left the whitelist: it is empty, so every recognised person is sorted automatically\./);
  await said.waitFor();
  assert.deepEqual(await lists(), { whitelist: [], blacklist: ['ada'] });
  assert.equal(await card.getByTestId('whitelist-ada').isChecked(), false);
  await screenshot(page, 'persons-left-whitelist');

  // Ctrl-Z right away, the focus still on the check box just ticked: a check box has no undo of its own.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'blacklist-ada');
  await page.keyboard.press('Control+z');
  await toastStarting(page, 'Undone: ').waitFor();
  assert.deepEqual(await lists(), { whitelist: ['ada'], blacklist: [] });
  await page.locator('[data-testid="person"][data-name="ada"] [data-testid="whitelist-ada"]:checked').waitFor();
});

test('saving a list on the Settings page offers Undo, which puts both lists back', async () => {
  await page.goto('/#/settings');
  const black = page.getByTestId('blacklist-input');
  await black.waitFor();
  await black.fill('ada');
  await black.locator('xpath=..').getByRole('button', { name: 'Save' }).click();
  await toastSaying(/^Saved the blacklist \(1 name\); \S+ left the whitelist/).waitFor();
  assert.deepEqual(await lists(), { whitelist: [], blacklist: ['ada'] });
  assert.equal((await page.getByTestId('toast-action').innerText()).trim(), 'Undo');
  await page.getByTestId('toast-action').click();
  await toastStarting(page, 'Undone: ').waitFor();
  assert.deepEqual(await lists(), { whitelist: ['ada'], blacklist: [] });
  await page.waitForFunction(() => document.querySelector('[data-testid="blacklist-input"]')?.value === '');
});

test('the audit log says what was done to a user, and what an undone change of the lists held', async () => {
  lib.run(['user', 'add', 'bob', '--role', 'user'], 'first-password-of-bob\n');
  lib.run(['user', 'role', 'bob', 'admin']);
  lib.run(['user', 'passwd', 'bob'], 'second-password-of-bob\n');
  lib.run(['user', 'remove', 'bob']);
  await page.goto('/#/audit');
  await page.getByTestId('audit-action').selectOption('user');
  await page.getByRole('button', { name: 'Filter' }).click();
  const rows = page.locator('[data-testid="audit-row"][data-action="user"] .audit-text');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="audit-row"][data-action="user"]').length >= 5);
  const said = (await rows.allInnerTexts()).filter((t) => /\bbob\b/.test(t));
  // Newest first.
  assert.equal(said.length, 4, said.join('\n'));
  assert.match(said[0], / removed the user bob \(admin\); their sessions ended$/);
  assert.match(said[1], / changed the password of the user bob; their sessions ended$/);
  assert.match(said[2], / changed the role of the user: bob \(user\) → bob \(admin\)$/);
  assert.match(said[3], / added the user bob \(user\)$/);

  await page.getByTestId('audit-action').selectOption('undo');
  await page.getByRole('button', { name: 'Filter' }).click();
  const undone = page.locator('[data-testid="audit-row"][data-action="undo"] .audit-text').first();
  await undone.waitFor();
  const text = await undone.innerText();
  assert.doesNotMatch(text, /[{}"[\]]/, `no JSON in: ${text}`);
  assert.match(text, /undid a change: blacklist ada; whitelist nobody → blacklist nobody; whitelist ada$/);
});
