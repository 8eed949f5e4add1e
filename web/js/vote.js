// The public voting page: images an admin marked public, up / down votes and flags, without logging in. The server
// tells anonymous voters apart by an HttpOnly cookie it sets on the first vote.
import { h, mount, toast } from './dom.js';

const FLAG_REASONS = [['wrong_subject', 'Wrong subject'], ['poor_quality', 'Poor quality (blurry, dark)'],
  ['wrong_person', 'Wrong person'], ['other', 'Other']];

async function send(body) {
  const res = await fetch('/api/votes', { method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const data = await res.json();
  if (!res.ok) throw new Error(data.message || `HTTP ${res.status}`);
  return data;
}

function counts(image) {
  return h('span', { class: 'vote-counts', dataset: { testid: 'vote-counts' } },
    `▲ ${image.up} · ▼ ${image.down} · ⚑ ${image.flags}`);
}

function card(image) {
  let shown = counts(image);
  const vote = async (body) => {
    try {
      const out = await send({ item_id: image.id, ...body });
      const fresh = counts(out);
      shown.replaceWith(fresh);
      shown = fresh;
      toast('Thank you, your vote counts.');
      await leaderboard();
    } catch (err) { toast(err.message, 'error'); }
  };
  const reason = h('select', { 'aria-label': 'What is wrong' }, FLAG_REASONS.map(([v, t]) => h('option', { value: v }, t)));
  const details = h('input', { placeholder: 'details (for other)', 'aria-label': 'Details', maxlength: 500 });
  return h('article', { class: 'tile vote-tile', dataset: { testid: 'vote-image', itemId: image.id } },
    h('img', { src: `${image.thumbnail}?size=320`, alt: `Photo ${image.id}`, loading: 'lazy' }),
    shown,
    h('div', { class: 'actions' },
      h('button', { type: 'button', dataset: { testid: 'vote-up' }, onclick: () => vote({ vote: 'up' }) }, '▲ Good'),
      h('button', { type: 'button', dataset: { testid: 'vote-down' }, onclick: () => vote({ vote: 'down' }) }, '▼ Poor')),
    h('details', {}, h('summary', {}, 'Flag'), reason, details,
      h('button', { type: 'button', dataset: { testid: 'vote-flag' },
        onclick: () => vote({ vote: 'flag', reason: reason.value, details: details.value }) }, 'Submit flag')));
}

async function leaderboard() {
  const res = await fetch('/api/votes/leaderboard');
  const board = await res.json();
  mount(document.getElementById('leaderboard'),
    ...board.contributors.map((c) => h('li', {}, `${c.name}: ${c.votes}`)));
}

async function start() {
  const res = await fetch('/api/public/images');
  const out = await res.json();
  const grid = document.getElementById('images');
  if (!out.images.length) mount(grid, h('p', { class: 'muted' }, 'No photos to vote on yet.'));
  else mount(grid, ...out.images.map(card));
  await leaderboard();
}

start();
