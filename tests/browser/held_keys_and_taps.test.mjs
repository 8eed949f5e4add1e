// Decisions nobody saw: a decision key held down repeats, and the second tap of a double tap lands on the next
// photo's button once the first one decided. Driven in headless Chromium against a real `triage serve`: a held key
// decides one photo, a double click or a double tap decides one photo, and the top bar keeps "Log out" on screen at
// the widths between a phone and a wide screen; the window title names the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openLibrary, closeLibrary, logIn, currentCardId, openReviewQueue, waitForCardChange, toastStarting,
  withClockHeld } from './harness.mjs';

let lib; let page;

before(async () => {
  const photos = [];
  for (const [i, name] of ['skimage_coffee.jpg', 'skimage_astronaut.jpg', 'obama.jpg', 'biden.jpg', 'obama2.jpg',
    'biden2.jpg', 'vladmandic_sample1.jpg', 'obama3.jpg'].entries()) photos.push([name, `0${i}_${name}`]);
  lib = await openLibrary({ photos });
  page = lib.page;
  await logIn(page);
});

after(async () => { await closeLibrary(lib); });

const inTrash = async () => (await lib.api('/api/items?location=trash&per_page=100')).total;
const waiting = async () => (await lib.api('/api/review/queue/unidentified?per_page=100')).items.map((i) => i.id);
const openQueue = () => openReviewQueue(page);
async function centreOf(testid) {
  const box = await page.getByTestId('review-card').getByTestId(testid).boundingBox();
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

test('holding d down moves one photo to the trash, not every photo shown while the key repeats', async () => {
  const first = await openQueue();
  const before = await inTrash();
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.down('d');
  await toastStarting(page, 'Moved ').waitFor();
  await waitForCardChange(page, first);
  const second = await currentCardId(page);
  // The key is still down: the keyboard repeats it (autoRepeat) for a second and a half.
  for (let i = 0; i < 30; i += 1) {
    await page.keyboard.down('d');
    await page.waitForTimeout(40);
  }
  await page.keyboard.up('d');
  await page.waitForTimeout(500);
  assert.equal(await inTrash(), before + 1, 'one press, one photo');
  assert.equal((await lib.item(first)).location, 'trash');
  assert.equal((await lib.item(second)).location, 'review', 'the photo shown next was left alone');
  assert.equal(await currentCardId(page), second);
  // A fresh press acts on it, as always.
  await page.keyboard.press('s');
  await toastStarting(page, 'Skipped ').waitFor();
});

test('d pressed twice quickly moves one photo to the trash and says why the second press did nothing', async () => {
  const first = await openQueue();
  const before = await inTrash();
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  let second;
  await withClockHeld(page, async () => {
    await page.keyboard.press('d');
    await toastStarting(page, 'Moved ').waitFor();
    await waitForCardChange(page, first);
    second = await currentCardId(page);
    await page.keyboard.press('d');
    // Said after what the delete's toast says, whose Undo stays: the toast names the photo deleted.
    const said = page.getByTestId('toast-text').filter({ hasText: 'The second “d” came as ' });
    await said.waitFor();
    assert.match(await said.innerText(), /^Moved .+ to the trash\..* The second “d” came as .+ appeared, so it was not applied: press d again to decide it\.$/);
    assert.equal(await page.getByTestId('toast-action').filter({ hasText: 'Undo' }).count(), 1, 'the delete\'s Undo is kept');
  });
  assert.equal(await inTrash(), before + 1, 'two quick presses, one photo');
  assert.equal((await lib.item(first)).location, 'trash');
  assert.equal((await lib.item(second)).location, 'review', 'the photo that took its place was left alone');
  assert.equal(await currentCardId(page), second);
  // Any other key between two presses makes them two decisions: s, then d at once, deletes the photo after.
  await withClockHeld(page, async () => {
    await page.keyboard.press('s');
    await toastStarting(page, 'Skipped ').waitFor();
    await waitForCardChange(page, second);
    const third = await currentCardId(page);
    await page.keyboard.press('d');
    await toastStarting(page, 'Moved ').waitFor();
    assert.equal((await lib.item(third)).location, 'trash', 'd right after s is a decision of its own');
    await page.keyboard.press('Control+z');
    await toastStarting(page, 'Undone').waitFor();
    assert.equal((await lib.item(third)).location, 'review');
  });
});

test('the second click of a double click does not decide the photo that took the first one\'s place', async () => {
  const first = await openQueue();
  const { x, y } = await centreOf('keep');
  await page.mouse.click(x, y);
  await toastStarting(page, 'Kept ').waitFor();
  await waitForCardChange(page, first);
  const second = await currentCardId(page);
  // The double click's second press, on the new card's button (the browser counts it as the second click).
  await page.mouse.move(x, y);
  await page.mouse.down({ clickCount: 2 });
  await page.mouse.up({ clickCount: 2 });
  await toastStarting(page, 'That second tap came as the next photo appeared').waitFor();
  assert.equal((await lib.item(first)).location, 'library');
  assert.equal((await lib.item(second)).location, 'review');
  assert.ok((await waiting()).includes(second));
  // A single click later decides it.
  await page.mouse.click(x, y);
  await toastStarting(page, 'Kept ').waitFor();
  assert.equal((await lib.item(second)).location, 'library');
});

// Touch: a tap is sent as the phone sends it (touchstart, touchend); the browser makes the pointer events and click.
test('a double tap on a phone decides one photo', async () => {
  const cdp = await lib.context.newCDPSession(page);
  await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
  const tap = async ({ x, y }) => {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  };
  try {
    // The second tap must come while the first is fresh (a double tap is ~200 ms apart): if this machine took longer
    // than that to show the next photo, the pair was no double tap; it is tried again on the next photos.
    let checked = false;
    for (let attempt = 0; attempt < 3 && !checked; attempt += 1) {
      const first = await openQueue();
      const at = await centreOf('reject');
      const started = Date.now();
      await tap(at);
      await waitForCardChange(page, first);
      const second = await currentCardId(page);
      if (Date.now() - started > 400) {
        await toastStarting(page, 'Moved ').waitFor();
        continue;
      }
      await tap(at);
      await toastStarting(page, 'That second tap came as the next photo appeared').waitFor();
      assert.equal((await lib.item(first)).location, 'trash');
      assert.equal((await lib.item(second)).location, 'review', 'the photo shown next was not decided unseen');
      checked = true;
    }
    assert.ok(checked, 'the next photo never came within 400 ms of a tap: no double tap could be sent');
  } finally {
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: false });
    await cdp.detach();
  }
});

test('between a phone and a wide screen the top bar keeps every page and Log out on screen', async () => {
  for (const width of [820, 900, 1016, 1100]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(100);
    const { scroll, logout } = await page.evaluate(() => {
      const b = document.getElementById('logout').getBoundingClientRect();
      return { scroll: document.documentElement.scrollWidth, logout: b.right };
    });
    assert.ok(scroll <= width, `${width}px: the page scrolls sideways to ${scroll}px`);
    assert.ok(logout <= width, `${width}px: Log out ends at ${logout}px, off the screen`);
    for (const link of await page.locator('#nav a').all()) {
      const box = await link.boundingBox();
      assert.ok(box.x + box.width <= width, `${width}px: ${await link.textContent()} is off the screen`);
      assert.ok(box.height < 40, `${width}px: ${await link.textContent()} wraps onto two lines`);
    }
  }
  await page.setViewportSize({ width: 1440, height: 900 });
});

test('the window title names the page shown', async () => {
  await openQueue();
  assert.equal(await page.title(), 'Review · triage');
  for (const [hash, title] of [['#/gallery', 'Gallery · triage'], ['#/people/enrolled', 'Enrolled persons · triage'],
    ['#/trash', 'Trash · triage'], ['#/nowhere', 'Page not found · triage']]) {
    await page.evaluate((h) => { location.hash = h; }, hash);
    await page.waitForFunction((t) => document.title === t, title, { timeout: 10000 }).catch(() => {});
    assert.equal(await page.title(), title, hash);
  }
});
