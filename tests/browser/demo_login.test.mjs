// The first minute of `make run`: the demo serves with a known login (`serve --demo-login`), and whoever opens its
// address in a browser is told that login and finds it filled in, without the terminal's line; a wrong password
// typed over it is still refused, and after logging out the page offers it again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openLibrary, closeLibrary } from './harness.mjs';

let lib; let page;

before(async () => {
  lib = await openLibrary({ photos: [['obama.jpg', 'a.jpg'], ['skimage_coffee.jpg', 'b.jpg']], demo: true });
  ({ page } = lib);
});

after(async () => { await closeLibrary(lib); });

test('the demo\'s login page says the login, has it filled in, and Enter logs in', async () => {
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await page.goto('/');
  const help = page.getByTestId('login-help');
  await help.waitFor();
  assert.match(await help.innerText(), /^This is the demo: log in as admin with the password triage-demo \(filled in\)/);
  assert.equal(await page.getByLabel('User name').inputValue(), 'admin');
  assert.equal(await page.getByLabel('Password').inputValue(), 'triage-demo');
  // A password typed over it that is wrong is refused as any wrong password.
  await page.getByLabel('Password').fill('guess');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('Wrong user name or password.').waitFor();
  // The refused password is cleared and the box has the keys again.
  assert.equal(await page.getByLabel('Password').inputValue(), '');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'password');
  await page.reload();
  await help.waitFor();
  // The Log in button has the keys: Enter logs in.
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Log in');
  await page.keyboard.press('Enter');
  await page.getByText('admin · superadmin').waitFor();
  assert.deepEqual(consoleErrors.filter((e) => !/401/.test(e)), []);
  // After logging out, the login page offers the demo's login again.
  await page.getByRole('button', { name: 'Log out' }).click();
  await help.waitFor();
  assert.equal(await page.getByLabel('Password').inputValue(), 'triage-demo');
  // Also on a page that was loaded while logged in (it had not heard the demo's login, and its form came up empty).
  await page.keyboard.press('Enter');
  await page.getByText('admin · superadmin').waitFor();
  await page.reload();
  await page.getByText('admin · superadmin').waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await help.filter({ hasText: 'This is the demo' }).waitFor();
  assert.equal(await page.getByLabel('Password').inputValue(), 'triage-demo');
});
