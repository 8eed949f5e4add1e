// The public voting page: images an admin marked public, up / down votes and flags, without logging in. The server
// tells anonymous voters apart by an HttpOnly cookie it sets when the page lists the images (so that two votes sent
// at once carry the same one), and says which vote is the voter's own (`mine`), marked as the pressed button, and the
// voter's own flag (`my_flag`), shown with its reason and filled into the flag form, so a reload forgets neither.
import { h, mount, toast } from './dom.js';

const FLAG_REASONS = [['wrong_subject', 'Wrong subject'], ['poor_quality', 'Poor quality (blurry, dark)'],
  ['wrong_person', 'Wrong person'], ['other', 'Other']];

const UNREACHABLE = 'The server could not be reached: check the connection and try again.';

// GET or POST `url` and the JSON answer; an unreachable server or an answer that is not JSON throws an Error saying
// so in words (not the browser's "Failed to fetch").
async function call(url, options = {}) {
  let res;
  try {
    res = await fetch(url, { credentials: 'same-origin', ...options });
  } catch {
    throw new Error(UNREACHABLE);
  }
  let data = null;
  try { data = await res.json(); } catch { /* not JSON: a proxy's error page, a server stopping */ }
  if (!res.ok || !data) throw new Error((data && data.message) || `The server answered ${res.status}: try again later.`);
  return data;
}

// A signed-in visitor votes as their user: their votes carry the session's CSRF token, which the list of images
// hands over (null for anonymous visitors).
let csrfToken = null;
const send = (body) => call('/api/votes', { method: 'POST',
  headers: { 'Content-Type': 'application/json', ...(csrfToken ? { 'X-CSRF-Token': csrfToken } : {}) },
  body: JSON.stringify(body) });

function counts(image) {
  return h('span', { class: 'vote-counts', dataset: { testid: 'vote-counts' } },
    `▲ ${image.up} · ▼ ${image.down} · ⚑ ${image.flags}`);
}

function card(image) {
  let shown = counts(image);
  const label = `photo ${image.id}`;
  // The pressed button pressed again takes the vote back.
  let current = image.mine || null;
  const press = (which) => vote({ vote: current === which ? 'none' : which });
  const up = h('button', { type: 'button', dataset: { testid: 'vote-up' }, 'aria-label': `Good: ${label}`,
    onclick: () => press('up') }, '▲ Good');
  const down = h('button', { type: 'button', dataset: { testid: 'vote-down' }, 'aria-label': `Poor: ${label}`,
    onclick: () => press('down') }, '▼ Poor');
  const mark = (mine) => {
    current = mine || null;
    up.setAttribute('aria-pressed', String(mine === 'up'));
    down.setAttribute('aria-pressed', String(mine === 'down'));
    up.title = mine === 'up' ? 'Your vote: press again to take it back' : '';
    down.title = mine === 'down' ? 'Your vote: press again to take it back' : '';
  };
  const reason = h('select', { 'aria-label': `What is wrong with ${label}` },
    FLAG_REASONS.map(([v, t]) => h('option', { value: v }, t)));
  const details = h('input', { placeholder: 'details (for other)', 'aria-label': `Details for ${label}`, maxlength: 500 });
  const flag = h('button', { type: 'button', dataset: { testid: 'vote-flag' },
    onclick: () => vote({ vote: 'flag', reason: reason.value, details: details.value }) }, 'Submit flag');
  // The voter's own flag: said on the summary ("Flagged ✓ (poor quality…)") and filled into the form to change it.
  const showFlag = (mine) => {
    if (!mine) return;
    const words = ((FLAG_REASONS.find(([v]) => v === mine.reason) || [, mine.reason])[1]).replace(/ \(.*\)$/, '');
    flagSummary.textContent = `Flagged ✓ (${words.charAt(0).toLowerCase()}${words.slice(1)})`;
    reason.value = mine.reason;
    details.value = mine.details || '';
    flag.textContent = 'Update flag';
  };
  // One vote at a time per photo: a double click sends one, and the second waits for nothing.
  let sending = false;
  async function vote(body) {
    if (sending) return;
    sending = true;
    for (const b of [up, down, flag]) b.disabled = true;
    try {
      const before = image.flags;
      const out = await send({ item_id: image.id, ...body });
      const fresh = counts(out);
      shown.replaceWith(fresh);
      shown = fresh;
      image.flags = out.flags;
      mark(out.mine);
      if (body.vote === 'flag') {
        // One flag per voter: flagging again replaces the reason, and the count stays.
        flagForm.open = false;
        showFlag(out.my_flag || { reason: body.reason, details: body.details });
        toast(out.flags > before ? 'Thank you, the photo is flagged for a curator.'
          : 'Your flag was counted already: its reason is updated.');
      } else if (body.vote === 'none') {
        toast('Your vote is taken back.');
      } else {
        toast('Thank you, your vote counts.');
      }
      await leaderboard();
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      sending = false;
      for (const b of [up, down, flag]) b.disabled = false;
    }
  }
  mark(image.mine);
  const flagSummary = h('summary', { dataset: { testid: 'vote-flag-summary' } }, 'Flag');
  const flagForm = h('details', { class: 'vote-flag' }, flagSummary,
    h('div', { class: 'vote-flag-body' }, reason, details, flag));
  showFlag(image.my_flag);
  return h('article', { class: 'tile vote-tile', dataset: { testid: 'vote-image', itemId: image.id } },
    h('img', { src: `${image.thumbnail}?size=640`, alt: `Photo ${image.id}`, loading: 'lazy' }),
    shown,
    h('div', { class: 'actions' }, up, down),
    flagForm);
}

async function leaderboard() {
  let board;
  try {
    board = await call('/api/votes/leaderboard');
  } catch (err) {
    mount(document.getElementById('leaderboard'), h('li', { class: 'muted' }, err.message));
    return;
  }
  // Anonymous voters are not named: each is counted apart, numbered in the order shown.
  let anonymous = 0;
  const name = (c) => (c.name === 'anonymous' ? `anonymous voter ${++anonymous}` : c.name);
  mount(document.getElementById('leaderboard'), ...(board.contributors.length
    ? board.contributors.map((c) => h('li', {}, `${name(c)}: ${c.votes}`))
    : [h('li', { class: 'muted' }, 'Nobody has voted this month yet: yours can be the first.')]));
}

async function start() {
  const grid = document.getElementById('images');
  let out;
  try {
    out = await call('/api/public/images');
    csrfToken = out.csrf_token || null;
  } catch (err) {
    mount(grid, h('div', { role: 'alert', class: 'card warn', dataset: { testid: 'vote-load-error' } },
      h('p', {}, `The photos could not be loaded. ${err.message}`),
      h('button', { type: 'button', onclick: () => start() }, 'Try again')));
    return;
  }
  if (!out.images.length) mount(grid, h('p', { class: 'muted' }, 'No photos to vote on yet.'));
  else mount(grid, ...out.images.map(card));
  await leaderboard();
}

start();
