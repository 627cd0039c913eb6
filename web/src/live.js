// The dashboard's one live store.
//
// One WebSocket to /api/live is shared by every page. Each event bumps the version of the
// topic it touches; pages re-read the data that depends on a topic when its version changes
// (ETag-aware, so unchanged resources cost a 304). While the WebSocket is down the store
// reconnects with exponential backoff (?after=<last event id seen>) and, meanwhile, polls:
// it bumps every topic every POLL_MS. Every hello bumps every topic too, so pages re-read their
// data after each (re)connection, which also covers a server that did not replay the events
// missed (hello "replay":"truncated"). Events are only signals: their payloads are not read. Independently, an optional auto-refresh ticks every
// N seconds, and refresh() re-reads everything bypassing caches.

import { clearCache } from './api.js';

export const POLL_MS = 2500;
const HELLO_TIMEOUT_MS = 5000;
export const AUTO_INTERVALS = [5, 10, 30, 60];
const TOPIC_OF = {
  'scan.created': 'scans',
  'planogram.changed': 'planograms',
  'product.changed': 'products',
  'model.changed': 'models',
  'model.activated': 'models',
  'model.settings': 'models',
  'model.evaluation': 'models',
  'compliance.updated': 'compliance',
  'alert.raised': 'alerts',
  'alert.resolved': 'alerts',
  'alert.acknowledged': 'alerts',
};
const TOPICS = ['scans', 'planograms', 'products', 'models', 'compliance', 'alerts'];

function loadPrefs() {
  try {
    const p = JSON.parse(localStorage.getItem('visionstock.autoRefresh') || '{}');
    return {
      enabled: !!p.enabled,
      interval: AUTO_INTERVALS.includes(p.interval) ? p.interval : 10,
    };
  } catch {
    return { enabled: false, interval: 10 };
  }
}

const state = {
  // 'connecting' (first attempt), 'live' (WebSocket open), 'polling' (WebSocket down)
  mode: 'connecting',
  modeDetail: '',
  lastEventId: null,
  lastEventAt: null,
  stamp: { scans: 0, planograms: 0, products: 0, models: 0, compliance: 0, alerts: 0, tick: 0, hard: 0 },
  auto: loadPrefs(),
};
const listeners = new Set();

function emit() {
  for (const fn of listeners) fn(state);
}

export function getState() {
  return state;
}

export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function bump(keys) {
  const stamp = { ...state.stamp };
  for (const k of keys) stamp[k] += 1;
  state.stamp = stamp;
  emit();
}

function setMode(mode, detail = '') {
  if (state.mode === mode && state.modeDetail === detail) return;
  state.mode = mode;
  state.modeDetail = detail;
  emit();
}

// --- WebSocket with backoff ------------------------------------------------------------------
let socket = null;
let backoffMs = 500;
let reconnectTimer = null;
let pollTimer = null;
let started = false;

function liveUrl() {
  const url = new URL('/api/live', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (state.lastEventId !== null) url.searchParams.set('after', String(state.lastEventId));
  return url.toString();
}

function startPolling(detail) {
  setMode('polling', detail);
  if (pollTimer) return;
  pollTimer = setInterval(() => bump(['tick']), POLL_MS);
}

function stopPolling() {
  if (pollTimer) clearInterval(pollTimer);
  pollTimer = null;
}

function scheduleReconnect() {
  if (reconnectTimer) return;
  const delay = backoffMs;
  backoffMs = Math.min(backoffMs * 2, 30000);
  reconnectTimer = setTimeout(() => {
    reconnectTimer = null;
    connect();
  }, delay + Math.random() * 250);
}

function onMessage(ev) {
  let msg;
  try {
    msg = JSON.parse(ev.data);
  } catch {
    return;
  }
  if (!msg || typeof msg !== 'object') return;
  if (msg.type === 'hello') {
    // The server's position replaces ours when we have none, when it did not replay what we
    // missed (replay "truncated": the re-read below covers it) and when ours is from other data
    // (ahead of the server's newest event).
    if (
      Number.isFinite(msg.last_event_id) &&
      (state.lastEventId === null || msg.replay === 'truncated' || msg.last_event_id < state.lastEventId)
    ) {
      state.lastEventId = msg.last_event_id;
    }
    backoffMs = 500;
    stopPolling();
    setMode('live');
    // Anything that happened while disconnected or before the first page load.
    bump(TOPICS);
    return;
  }
  if (Number.isFinite(msg.id)) {
    if (state.lastEventId !== null && msg.id <= state.lastEventId) return; // replayed twice
    state.lastEventId = msg.id;
  }
  state.lastEventAt = new Date();
  const topic = TOPIC_OF[msg.type];
  // A product change can change the SKU of stored detections: scans' views depend on it too.
  if (topic === 'products') bump(['products', 'scans']);
  else if (topic) bump([topic]);
}

function connect() {
  let ws;
  try {
    ws = new WebSocket(liveUrl());
  } catch (e) {
    startPolling(`live push unavailable (${e.message})`);
    scheduleReconnect();
    return;
  }
  socket = ws;
  // A connection that never says hello (e.g. a proxy holding the upgrade) counts as failed.
  const helloTimer = setTimeout(() => {
    if (socket === ws && state.mode !== 'live') ws.close();
  }, HELLO_TIMEOUT_MS);
  ws.onmessage = onMessage;
  ws.onclose = (e) => {
    clearTimeout(helloTimer);
    if (socket !== ws) return;
    socket = null;
    const why = e.code === 1008 ? 'fell behind, reconnecting' : 'live push unavailable';
    startPolling(why);
    scheduleReconnect();
  };
  // onerror is always followed by onclose.
}

// --- auto-refresh ------------------------------------------------------------------------------
let autoTimer = null;

function applyAuto() {
  if (autoTimer) clearInterval(autoTimer);
  autoTimer = null;
  if (state.auto.enabled) autoTimer = setInterval(() => bump(['tick']), state.auto.interval * 1000);
}

export function setAutoRefresh(enabled, interval) {
  state.auto = { enabled, interval };
  try {
    localStorage.setItem('visionstock.autoRefresh', JSON.stringify(state.auto));
  } catch {
    // storage unavailable: keep it for this page only
  }
  applyAuto();
  emit();
}

// Re-reads everything, bypassing the browser's and the ETag cache.
export function refresh() {
  clearCache();
  bump(['hard']);
}

export function startLive() {
  if (started) return;
  started = true;
  applyAuto();
  connect();
}
