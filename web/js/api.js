// The API client: JSON in and out, the CSRF token on every state-changing request, errors as exceptions.
import { learnPersonNames } from './dom.js';

let csrfToken = '';

export class ApiError extends Error {
  constructor(status, error, message, body = null) {
    super(message || error || `HTTP ${status}`);
    this.status = status;
    this.error = error;
    this.body = body;   // the server's whole answer, for the fields an error carries beside its message
  }
}

// What a request that got no answer says.
export const UNREACHABLE = 'no answer from the server (it may be stopped or restarting, or the network is down)';

export function setCsrfToken(token) { csrfToken = token || ''; }

// Every answer that lists persons (GET /api/persons) or returns one (an enrolment, a rename) teaches the shared cache
// how each person's name is written, here once for every page.
function learnNames(data) {
  if (!data || typeof data !== 'object') return;
  if (Array.isArray(data.persons)) learnPersonNames(data.persons);
  if (data.person && typeof data.person === 'object') learnPersonNames([data.person]);
}

async function request(method, path, body, extraHeaders = {}) {
  const headers = { ...extraHeaders };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (err) {
    // No answer at all (the server stopped or restarting, the network down): said in words, not as the browser's
    // "Failed to fetch". Status 0 marks it.
    throw new ApiError(0, 'unreachable', UNREACHABLE);
  }
  const type = res.headers.get('Content-Type') || '';
  const data = type.startsWith('application/json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    // A change refused because the session ended (not a page that was only being read) is said as not made.
    if (res.status === 401 && path !== '/api/auth/login') {
      window.dispatchEvent(new CustomEvent('triage:logged-out', { detail: { unsaved: method !== 'GET' } }));
    }
    // An answer that is not triage's own (a proxy's error page) is named by its status.
    const own = data && typeof data === 'object';
    throw new ApiError(res.status, own ? data.error : '', own ? data.message
      : `the server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, own ? data : null);
  }
  learnNames(data);
  return data;
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body = {}) => request('POST', path, body),
  put: (path, body) => request('PUT', path, body),
  del: (path) => request('DELETE', path),
  upload: (path, formData) => request('POST', path, formData),
};

// Query string from an object, skipping empty values.
export function qs(params) {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, v);
  const text = s.toString();
  return text ? `?${text}` : '';
}
