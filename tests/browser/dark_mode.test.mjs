// The colours a system asks for: with the system's dark scheme the pages turn dark, and in either scheme every piece
// of text on every page stays readable against what is behind it (no white text left on a light patch, no dark text
// on a dark card). Driven in headless Chromium against a real `triage serve`, over each page of the navigation with
// photos, a duplicate and an open photo view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openLibrary, closeLibrary, logIn, openReviewQueue, screenshot } from './harness.mjs';

let lib; let page;

before(async () => {
  lib = await openLibrary({
    photos: [['skimage_coffee.jpg', '01_coffee.jpg'], ['skimage_astronaut.jpg', '02_astronaut.jpg'],
      ['obama.jpg', '03_obama.jpg'], ['skimage_coffee.jpg', '04_coffee_again.jpg']],
  });
  page = lib.page;
  await logIn(page);
});

after(async () => { await closeLibrary(lib); });

// Every visible element that shows text of its own, with its text colour, the colour behind it (the first ancestor
// with a background, its alpha composed over what lies under it) and their WCAG contrast ratio; those below `least`.
async function unreadable(least, selector = 'body *') {
  return page.evaluate(([minimum, which]) => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [r, g, b, a];
    };
    const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3])).concat(1);
    const behind = (el) => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        // A photo or a picture behind the text: its colours are the photo's, not the page's.
        if (style.backgroundImage !== 'none' || e.tagName === 'IMG') return null;
        const c = parse(style.backgroundColor);
        if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
      }
      let colour = [255, 255, 255, 1];
      if (!layers.length || layers[layers.length - 1][3] < 1) {
        colour = parse(getComputedStyle(document.documentElement).backgroundColor) || colour;
        if (colour[3] === 0) colour = parse(getComputedStyle(document.body).backgroundColor) || [255, 255, 255, 1];
      }
      for (let i = layers.length - 1; i >= 0; i -= 1) colour = over(layers[i], colour);
      return colour;
    };
    const luminance = ([r, g, b]) => {
      const lin = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const out = [];
    for (const el of document.querySelectorAll(which)) {
      const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
      if (!own) continue;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (style.visibility === 'hidden' || box.width === 0 || box.height === 0 || Number(style.opacity) < 0.6) continue;
      if (el.closest('[hidden], .sr-only, [disabled]')) continue;
      const bg = behind(el);
      if (!bg) continue;
      // Opacity (the element's and its ancestors') fades the text towards what is behind it.
      let opacity = 1;
      for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
      const colour = parse(style.color);
      const fg = over([...colour.slice(0, 3), colour[3] * opacity], bg);
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < minimum) {
        out.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}" ` +
          `${style.color} on rgb(${bg.slice(0, 3).map(Math.round).join(',')}): ${ratio.toFixed(2)}`);
      }
    }
    return out;
  }, [least, selector]);
}

// The page's colour: the root's (where the stylesheet puts it), or the body's when the root has none.
const pageBackground = () => page.evaluate(() => {
  const root = getComputedStyle(document.documentElement).backgroundColor;
  return /rgba\(.*, 0\)$/.test(root) ? getComputedStyle(document.body).backgroundColor : root;
});
const brightness = (rgb) => rgb.match(/\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b) / 3;

async function visit(hash, ready) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await ready();
  await page.waitForTimeout(300);  // the page's last requests drawn
}

const PAGES = [
  ['#/review', () => openReviewQueue(page)],
  ['#/review/duplicates', () => openReviewQueue(page, 'duplicates')],
  ['#/gallery', () => page.locator('.gtile').first().waitFor()],
  ['#/proposals', () => page.locator('[data-page="proposals"] h1, [data-page="proposals"] .card').first().waitFor()],
  ['#/people', () => page.locator('[data-page="people"] h1').first().waitFor()],
  ['#/persons', () => page.locator('[data-page="persons"] h1').first().waitFor()],
  ['#/stats', () => page.locator('[data-page="stats"] h1').first().waitFor()],
  ['#/trash', () => page.locator('[data-page="trash"] h1').first().waitFor()],
  ['#/audit', () => page.locator('[data-page="audit"] h1').first().waitFor()],
  ['#/settings', () => page.locator('[data-page="settings"] h1').first().waitFor()],
];

for (const scheme of ['dark', 'light']) {
  test(`in the ${scheme} scheme every page's text is readable against what is behind it`, async () => {
    await page.emulateMedia({ colorScheme: scheme });
    const problems = [];
    for (const [hash, ready] of PAGES) {
      await visit(hash, ready);
      const bg = brightness(await pageBackground());
      if (scheme === 'dark') assert.ok(bg < 60, `${hash}: the page is dark (${bg})`);
      else assert.ok(bg > 200, `${hash}: the page is light (${bg})`);
      // WCAG's 4.5:1 for body text; 3:1 is the least for large or bold text: nothing may fall below it.
      for (const p of await unreadable(3)) problems.push(`${hash}: ${p}`);
      // Key hints are small text: 4.5:1.
      for (const p of await unreadable(4.5, 'kbd')) problems.push(`${hash}: key hint ${p}`);
    }
    await screenshot(page, `dark_mode_${scheme}_settings`);
    assert.deepEqual(problems, [], problems.join('\n'));
  });
}

test('an error toast and a confirmation dialog are readable in the dark scheme', async () => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openReviewQueue(page);
  await page.getByRole('button', { name: 'Select several' }).click();
  // Deleting with nothing selected is refused in a toast of its own (an error).
  await page.getByTestId('bulk-reject').click();
  const error = page.locator('.toast.error');
  await error.waitFor();
  assert.deepEqual(await unreadable(3), [], 'the error toast among the rest');
  const toastBg = await error.evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.ok(brightness(toastBg) < 130, `white text on a deep red (${toastBg})`);
  // With a photo selected, the deletion asks first.
  await page.locator('.tile').first().click();
  await page.getByTestId('bulk-reject').click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  assert.deepEqual(await unreadable(3), [], 'the dialog');
  const dialogBg = await dialog.evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.ok(brightness(dialogBg) < 60, `the dialog is dark (${dialogBg})`);
  await screenshot(page, 'dark_mode_confirm');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'One by one' }).click();
  await page.emulateMedia({ colorScheme: 'light' });
});

test('the dark scheme darkens the review card, its badges and the buttons, and keeps the photo view dark', async () => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await openReviewQueue(page, 'duplicates');
  const card = await page.getByTestId('review-card').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.ok(brightness(card) < 60, `the card is dark (${card})`);
  const badge = page.locator('.review-card .badge').first();
  if (await badge.count()) {
    const bg = await badge.evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.ok(brightness(bg) < 90, `the category badge is dark (${bg})`);
  }
  await screenshot(page, 'dark_mode_review');
  await visit('#/gallery', () => page.locator('.gtile').first().waitFor());
  await page.locator('.gtile').first().click();
  await page.getByTestId('loupe').waitFor();
  const loupe = await page.getByTestId('loupe').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.ok(brightness(loupe) < 40, `the photo view stays dark (${loupe})`);
  assert.deepEqual(await unreadable(3), []);
  await page.keyboard.press('Escape');
  await page.emulateMedia({ colorScheme: 'light' });
});
