// The audit log in words: one line per action ("tester approved item 12 (p.jpg) as penny — review/unidentified →
// faces/penny"), with when, a link to the item, and filters by actor, item and action.
import { api, qs } from './api.js';
import { h, remount, formatTime, personName } from './dom.js';

// The actions the log records, for the filter (the server filters the whole log, not one page of it).
const ACTIONS = ['approve', 'keep', 'reject', 'discard', 'skip', 'undo', 'name-face', 'duplicate', 'restore', 'purge', 'forget', 'ingest',
  'analyse', 'apply-policy', 'name-cluster', 'people', 'reference', 'person', 'propose', 'proposal', 'replaced',
  'removed', 'revert', 'public', 'cover', 'config', 'login', 'logout', 'user'];

// The filter's words where an action's name alone would mislead: a proposal's approval is logged as what it did.
const ACTION_LABELS = { proposal: 'proposal (denied, archived, out of date)', replaced: 'replaced (a proposal approved)',
  removed: 'removed (a removal proposal approved)', revert: 'revert (an approved proposal taken back)',
  propose: 'propose (a proposal made)', 'name-face': 'name-face (a face named on its card)',
  'name-cluster': 'name-cluster (a face cluster named)' };

// What each kind of action on face clusters (the People page) is called in a sentence.
const PEOPLE_ACTS = { name: 'named a face cluster', merge: 'merged face clusters', split: 'split a face cluster',
  not_this_person: 'marked faces as not their person', remove: 'took faces out of their clusters',
  reassign: 'moved faces to another cluster', hide: 'hid a face cluster', show: 'showed a hidden face cluster' };

// "["a","b"]" -> "a, b"; anything that is not a JSON list stays as it is.
function listText(value) {
  try {
    const parsed = JSON.parse(value);
    if (Array.isArray(parsed)) return parsed.length ? parsed.join(', ') : 'nobody';
    if (parsed && typeof parsed === 'object') {
      // {"blacklist": ["ada"], "whitelist": []}: "blacklist ada; whitelist nobody".
      const words = (v) => (Array.isArray(v) ? (v.length ? v.join(', ') : 'nobody') : v);
      const parts = Object.entries(parsed).map(([k, v]) => `${k.replaceAll('_', ' ')} ${words(v)}`);
      return parts.join(Object.values(parsed).some(Array.isArray) ? '; ' : ', ');
    }
  } catch (_) { /* not JSON */ }
  return value;
}

// `value` parsed when it is a JSON object, else null.
function parsedObject(value) {
  try {
    const parsed = JSON.parse(value);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : null;
  } catch (_) { return null; }
}

// A library folder ("review/duplicates"): not an absolute path, a staging path, or a JSON value (what a change of
// settings recorded, shown by listText).
const isFolder = (s) => !!s && !s.startsWith('/') && !s.includes('staging') && !/^[[{]/.test(s);
const personOf = (to) => (to && to.startsWith('faces/') ? to.split('/')[1] : '');

// The item's original, opened in a new tab; an item deleted for good (purged) has only its lines here, so no link.
function itemLink(e) {
  if (!e.item_id) return null;
  if (e.item_location === 'deleted') {
    return h('span', { class: 'muted small', dataset: { testid: 'audit-item-deleted' } }, `item ${e.item_id} deleted`);
  }
  return h('a', { href: `/api/items/${e.item_id}/original`, target: '_blank', rel: 'noopener', class: 'small',
    title: 'Opens the photo file itself in a new tab' }, `open item ${e.item_id}'s file ↗`);
}

// The sentence for one entry: who did what, to which item, and the move in folders (never staging paths).
export function auditSentence(e) {
  // The item by number and by its file's name (as it is now; none once deleted for good).
  const item = e.item_id ? `item ${e.item_id}${e.item_file_name ? ` (${e.item_file_name})` : ''}` : '';
  const move = isFolder(e.from) && isFolder(e.to) ? ` — ${e.from} → ${e.to}` : isFolder(e.to) ? ` — to ${e.to}` : '';
  switch (e.action) {
    case 'approve': return `${e.actor} approved ${item}${personOf(e.to) ? ` as ${personName(personOf(e.to))}` : ''}${move}`;
    case 'keep': return `${e.actor} kept ${item} without a person${move}`;
    case 'reject': return `${e.actor} moved ${item} to the trash${isFolder(e.from) ? ` — from ${e.from}` : ''}`;
    case 'discard': return `${e.actor} moved ${item} from the library to the trash${isFolder(e.from) ? ` — from ${e.from}` : ''}`;
    case 'skip': return `${e.actor} skipped ${item} for later`;
    case 'restore': return `${e.actor} restored ${item} from the trash${isFolder(e.to) ? ` — to ${e.to}` : ''}`;
    case 'ingest': return `${e.actor} took in ${item}${isFolder(e.to) ? ` — to ${e.to}` : ''}`;
    case 'purge': return `${e.actor} deleted ${item} from the trash for good`;
    case 'public': return `${e.actor} ${e.to === 'on' ? 'showed' : 'took'} ${item} ${e.to === 'on' ? 'on' : 'off'} the public voting page`;
    case 'forget': return `${e.actor} forgot ${item}, whose file was deleted outside triage${isFolder(e.from) ? ` — it was in ${e.from}` : ''}`;
    case 'undo': {
      // A change of settings (the lists) records what they held before and after, as JSON.
      const settings = /^[[{]/.test(e.from || '') ? `: ${listText(e.from)} → ${listText(e.to || '[]')}` : '';
      return `${e.actor} undid a change${item ? ` to ${item}` : ''}${move}${settings}`;
    }
    case 'duplicate': return `${e.actor} decided the duplicate ${item}${move}`;
    case 'reference': return `${e.actor} removed a reference face`;
    // Users: added (nothing before), removed (nothing after), a new password (the same name both sides), a new role.
    case 'user':
      if (!e.from) return `${e.actor} added the user ${e.to || ''}`.trimEnd();
      if (!e.to) return `${e.actor} removed the user ${e.from}; their sessions ended`;
      if (e.from === e.to) return `${e.actor} changed the password of the user ${e.to}; their sessions ended`;
      return `${e.actor} changed the role of the user: ${e.from} → ${e.to}`;
    case 'login': return `${e.actor} logged in`;
    case 'logout': return `${e.actor} logged out`;
    case 'person':
      // A person added or removed is named as written ("Zoë"), not by folder ("zoe"): the line records the folder.
      if (e.to && !e.from && e.reason === `enrolled ${e.to}`) return `${e.actor} enrolled ${personName(e.to)}`;
      if (e.from && !e.to && e.reason === `${e.from} removed`) return `${e.actor} removed ${personName(e.from)}`;
      return `${e.actor}: ${e.reason}`;
    case 'people': {
      const act = PEOPLE_ACTS[e.from] || `${(e.from || 'changed').replaceAll('_', ' ')} faces`;
      return e.to === 'undone' ? `${e.actor} undid an action in People: ${e.reason}` : `${e.actor} ${act}: ${e.reason}`;
    }
    // Proposals: made, decided (pending -> denied, ...), and what an approval or a revert moved.
    case 'propose': {
      // A cover proposal's slot is "cover:<person>", and what it proposes "item:<id>".
      const proposed = /^item:(\d+)$/.exec(e.to || '');
      if ((e.from || '').startsWith('cover:')) {
        return `${e.actor} proposed ${proposed ? `item ${proposed[1]}` : 'a photo'} as ` +
          `${personName(e.from.slice('cover:'.length))}'s cover${e.reason ? `: ${e.reason}` : ''}`;
      }
      return `${e.actor} proposed ${e.to === 'archive' ? 'archiving' : 'a replacement for'} ${item || 'a photo'}` +
        `${proposed ? ` (item ${proposed[1]} in its place)` : ''}${e.reason ? `: ${e.reason}` : ''}`;
    }
    case 'cover': {
      const to = /^item:(\d+)$/.exec(e.to || '');
      const made = to ? `${e.actor} made ${item || `item ${to[1]}`} a cover` : `${e.actor} changed a cover`;
      return `${made}${e.reason ? ` (${e.reason})` : ''}`;
    }
    case 'proposal': return `${e.actor} ${e.to || 'changed'} a proposal for ${item}${e.from ? ` (it was ${e.from})` : ''}`;
    case 'replaced': return `${e.actor} approved a replacement: ${item} took the place${isFolder(e.to) ? ` — ${e.to}` : ''}${e.reason ? ` (${e.reason})` : ''}`;
    case 'removed': return `${e.actor} approved a proposal that archived ${item}${e.reason ? ` (${e.reason})` : ''}`;
    case 'revert': return `${e.actor} reverted an approved proposal for ${item}${e.reason ? ` (${e.reason})` : ''}`;
    case 'name-face': {
      // The reason reads "face 2 of 3 in group.jpg marked as ada_lovelace by bob" (or "as nobody tracked").
      const said = /^face (\d+) of \d+ in .* marked as (.+) by .+$/.exec(e.reason || '');
      if (!said) return `${e.actor} named a face of ${item}${move}`;
      return said[2] === 'nobody tracked' ? `${e.actor} marked face ${said[1]} of ${item} as nobody tracked${move}`
        : `${e.actor} named face ${said[1]} of ${item} as ${personName(said[2])}${move}`;
    }
    case 'name-cluster': return `${e.actor} named the faces of ${item}, which moved it${move}`;
    case 'apply-policy': return `${e.actor} re-sorted ${item} under the current policy${move}`;
    case 'config': {
      const what = (e.reason || 'settings changed').replace(/ changed( through the web UI)?$/, '');
      const was = parsedObject(e.from);
      const now = parsedObject(e.to);
      // A section of settings (thresholds): each key that changed, with its value before and after.
      if (was && now && !Object.values({ ...was, ...now }).some(Array.isArray)) {
        const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])];
        const shown = (v) => (v === undefined ? 'unset' : JSON.stringify(v));
        return `${e.actor} changed the ${what}: ${keys.map((k) => `${k.replaceAll('_', ' ')} ${shown(was[k])} → ` +
          `${shown(now[k])}`).join('; ')}`;
      }
      return `${e.actor} changed the ${what}: ${listText(e.from || '[]')} → ${listText(e.to || '[]')}`;
    }
    default: return `${e.actor} ${e.action.replaceAll('_', ' ')}${item ? ` ${item}` : ''}${move}`;
  }
}

export async function renderAudit(root, _params, { signal }) {
  const state = { page: 1, actor: '', itemId: '', action: '' };
  let problem = '';   // why the last filter was refused, shown under the form (the form stays)
  let out = { entries: [] };
  // The persons' names as written ("approved … as Ada Lovelace"; the folder stays in the move); without them, the
  // folder names.
  await api.get('/api/persons').catch(() => null);
  async function draw() {
    // An item id is a whole number from 1: anything else is said at the field, and not asked of the server.
    const badId = state.itemId !== '' && !/^[1-9][0-9]{0,17}$/.test(state.itemId);
    if (badId) {
      problem = `Item id: must be an item number from 1 up, such as 17 (got "${state.itemId}").`;
      out = { entries: [] };
    } else {
      try {
        out = await api.get('/api/audit' + qs({ page: state.page, per_page: 50, actor: state.actor,
          item_id: state.itemId, action: state.action }));
        problem = '';
      } catch (err) {
        if (err.status === 401) return;
        problem = err.message;
        out = { entries: [] };
      }
    }
    if (signal.aborted) return;
    const actor = h('input', { value: state.actor, placeholder: 'actor', 'aria-label': 'Actor' });
    const item = h('input', { value: state.itemId, placeholder: 'item id', inputmode: 'numeric', 'aria-label': 'Item id',
      'aria-invalid': badId ? 'true' : null, 'aria-describedby': badId ? 'audit-error' : null });
    const action = h('select', { 'aria-label': 'Action', dataset: { testid: 'audit-action' } },
      h('option', { value: '' }, 'every action'),
      ACTIONS.map((a) => h('option', { value: a, selected: a === state.action }, ACTION_LABELS[a] || a)));
    const filters = h('form', { class: 'inline-form', onsubmit: (e) => {
      e.preventDefault();
      Object.assign(state, { actor: actor.value.trim(), itemId: item.value.trim(), action: action.value, page: 1 });
      draw();
    } }, actor, item, action, h('button', { type: 'submit' }, 'Filter'));
    const { entries } = out;
    const lines = entries.map((e) => h('li', { class: 'audit-line', dataset: { testid: 'audit-row', action: e.action } },
      h('time', { class: 'muted small', datetime: new Date(e.at * 1000).toISOString() }, formatTime(e.at)),
      h('span', { class: 'audit-text' }, auditSentence(e)),
      itemLink(e),
      e.reason && !['config', 'person', 'login', 'logout', 'user', 'name-face'].includes(e.action) ? h('span', { class: 'muted small audit-reason' }, e.reason) : null));
    remount(root, h('section', {},
      h('div', { class: 'page-head' }, h('h1', {}, 'Audit log'), filters),
      problem ? h('p', { class: 'form-error', role: 'alert', id: 'audit-error', dataset: { testid: 'audit-error' } },
        problem) : null,
      // A refused filter found nothing because nothing was looked for: only the reason is said.
      problem ? null : h('div', { class: 'card' }, lines.length ? h('ol', { class: 'audit-list' }, lines)
        : h('p', { class: 'muted' }, 'Nothing matches.')),
      // Pages only where there is more than one (a first page of fewer than 50, or nothing found, has none).
      problem || (state.page <= 1 && out.entries.length < 50) ? null : h('div', { class: 'pager', dataset: { testid: 'audit-pager' } },
        h('button', { type: 'button', 'aria-label': 'Previous page', disabled: state.page <= 1,
          onclick: () => { state.page--; draw(); } }, '←'),
        h('span', {}, `page ${state.page}`),
        h('button', { type: 'button', 'aria-label': 'Next page', disabled: out.entries.length < 50,
          onclick: () => { state.page++; draw(); } }, '→'))));
  }
  await draw();
}
