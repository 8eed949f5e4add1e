// Settings: whitelist, blacklist, thresholds and the auto-sorting switch (all validated by the server).
import { api } from './api.js';
import { h, mount, toast } from './dom.js';

const THRESHOLDS = [
  ['min_confidence', 'Minimum confidence to sort automatically (0–1)', '0.01'],
  ['max_faces_per_image', 'Most faces an auto-sorted photo may have', '1'],
  ['match_distance', 'Largest face distance that can still match (0.1–2)', '0.01'],
  ['min_face_size', 'Smallest face in pixels', '1'],
  ['min_detection_confidence', 'Minimum face detection score (0–1)', '0.01'],
  ['min_sharpness', 'Minimum sharpness (0 = off)', '1'],
];

export async function renderSettings(root, _params, { session, refreshSortState }) {
  const canEdit = !!session.permissions.change_config;
  const names = (text) => text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

  async function draw() {
    const [config, status] = await Promise.all([api.get('/api/config'), api.get('/api/status')]);
    const listForm = (list, help) => {
      const area = h('textarea', { rows: 4, dataset: { testid: `${list}-input` }, disabled: !canEdit },
        config[list].join('\n'));
      return h('form', { class: 'card', onsubmit: async (e) => {
        e.preventDefault();
        try {
          const out = await api.put(`/api/config/${list}`, { names: names(area.value) });
          toast(`Saved the ${list} (${out[list].length} name(s)).`);
          await draw();
        } catch (err) { toast(err.message, 'error'); }
      } }, h('h3', {}, list === 'whitelist' ? 'Whitelist' : 'Blacklist'), h('p', { class: 'muted' }, help), area,
      canEdit ? h('button', { type: 'submit', dataset: { testid: `save-${list}` } }, 'Save') : null);
    };
    const inputs = {};
    const preview = h('div', { class: 'preview', role: 'status', dataset: { testid: 'threshold-preview' } });
    let pending = null;  // the thresholds whose preview is on screen, waiting for "Save"
    const readThresholds = () => {
      const body = {};
      for (const [key, input] of Object.entries(inputs)) {
        // An emptied field is a mistake, not a zero.
        if (input.value.trim() === '') throw new Error(`${key.replaceAll('_', ' ')}: enter a number`);
        body[key] = Number(input.value);
      }
      return body;
    };
    const showPreview = (report) => {
      const lines = report.moves.map((m) => h('li', {}, `${m.count} item(s) would move from ${m.from} to ${m.to}` +
        ` (e.g. ${m.sample_ids.map((id) => `#${id}`).join(', ')})`));
      mount(preview, h('div', {},
        h('p', {}, report.changed === 0
          ? `Nothing already sorted or waiting in review would move (${report.total} item(s) checked).`
          : `${report.changed} of ${report.total} item(s) would now go elsewhere:`),
        lines.length ? h('ul', {}, lines) : null,
        h('p', { class: 'muted' }, 'Saving changes where new photos go; run apply-policy to re-sort what waits in review.'),
        h('button', { type: 'button', class: 'primary', dataset: { testid: 'confirm-thresholds' }, onclick: save },
          'Save thresholds'),
        h('button', { type: 'button', onclick: () => { pending = null; mount(preview, null); } }, 'Cancel')));
    };
    async function save() {
      try {
        await api.put('/api/config/thresholds', pending);
        toast('Saved the thresholds.');
        await draw();
      } catch (err) { toast(err.message, 'error'); }
    }
    const thresholds = h('form', { class: 'card', onsubmit: async (e) => {
      e.preventDefault();
      try {
        pending = readThresholds();
        showPreview(await api.post('/api/config/thresholds/simulate', pending));
      } catch (err) { toast(err.message, 'error'); }
    } }, h('h3', {}, 'Thresholds'),
    THRESHOLDS.map(([key, label, step]) => {
      inputs[key] = h('input', { type: 'number', step, value: config.thresholds[key], disabled: !canEdit,
        required: true, dataset: { testid: `threshold-${key}` } });
      return h('label', { class: 'row' }, h('span', {}, label), inputs[key]);
    }), canEdit ? h('button', { type: 'submit', dataset: { testid: 'preview-thresholds' } }, 'Preview changes') : null,
    preview);
    const toggle = h('button', { type: 'button', class: status.auto_sort_enabled ? 'danger' : 'primary',
      disabled: !canEdit, dataset: { testid: 'toggle-auto-sort' }, onclick: async () => {
        try {
          await api.post(status.auto_sort_enabled ? '/api/disable' : '/api/enable');
          await refreshSortState();
          await draw();
        } catch (err) { toast(err.message, 'error'); }
      } }, status.auto_sort_enabled ? 'Pause auto-sorting' : 'Resume auto-sorting');
    mount(root, h('section', {},
      h('h1', {}, 'Settings'),
      canEdit ? null : h('p', { class: 'muted' }, 'Your role may read the settings but not change them.'),
      h('div', { class: 'card' }, h('h3', {}, 'Auto-sorting'),
        h('p', {}, status.auto_sort_enabled ? 'On: recognised photos go straight to their person\'s folder.'
          : 'Paused: every new photo goes to review.'), toggle),
      h('div', { class: 'two-col' },
        listForm('whitelist', 'One name per line. When not empty, only these persons are sorted automatically.'),
        listForm('blacklist', 'One name per line. Photos of these persons always go to review.')),
      thresholds));
  }
  await draw();
}
