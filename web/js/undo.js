// A decision's toast with an Undo that redeems its token (the server puts back what the decision changed), then
// `after` (a redraw). Without a token the message is shown alone.
import { api } from './api.js';
import { toast } from './dom.js';

export function offerUndo(message, token, after = async () => {}) {
  if (!token) { toast(message); return; }
  toast(message, 'info', { label: 'Undo', run: async () => {
    try { const out = await api.post(`/api/undo/${encodeURIComponent(token)}`); toast(`Undone: ${out.summary}.`); }
    catch (err) { toast(`Could not undo: ${err.message}`, 'error'); }
    await after();
  } });
}
