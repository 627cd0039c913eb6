// Who is logged in. The server keeps the session in an HttpOnly cookie that this code never
// sees: GET /api/me says who the cookie belongs to (401: nobody), POST /api/login and
// /api/logout set and clear it. `can(role)` tells the pages what to show; the server enforces it.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, clearCache, post } from './api.js';

const RANK = { public: 0, viewer: 1, operator: 2, admin: 3 };
let current = { state: 'loading', user: null };
const listeners = new Set();

function set(next) {
  current = next;
  for (const l of listeners) l(current);
}

export async function loadSession() {
  try {
    const res = await fetch('/api/me', { headers: { Accept: 'application/json' }, cache: 'no-store' });
    if (res.status === 401) return set({ state: 'anonymous', user: null });
    if (!res.ok) return set({ state: 'error', user: null, message: `${res.status} ${res.statusText}` });
    set({ state: 'user', user: await res.json() });
  } catch (e) {
    set({ state: 'error', user: null, message: `Cannot reach the VisionStock server (${e.message})` });
  }
}

export async function login(name, password) {
  await post('/api/login', { name, password });
  clearCache();
  await loadSession();
}

export async function logout() {
  try {
    await post('/api/logout');
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  }
  clearCache();
  set({ state: 'anonymous', user: null });
}

// True when the logged-in user's role is at least `role`.
export function can(role) {
  return !!current.user && RANK[current.user.role] >= RANK[role];
}

export function useSession() {
  const [s, setS] = useState(current);
  useEffect(() => {
    listeners.add(setS);
    setS(current);
    return () => listeners.delete(setS);
  }, []);
  return s;
}
