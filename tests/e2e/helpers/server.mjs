// Starts the real `visionstock serve` on a free port with a temporary data folder, and stops it.
// The program comes from VISIONSTOCK_BIN (CTest passes $<TARGET_FILE:visionstock>).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from './postgres.mjs';

export const DARKNET = '/usr/share/darknet/data';
export const OPENCV = '/usr/share/doc/opencv-doc/examples/data';

export function binary() {
  const bin = process.env.VISIONSTOCK_BIN;
  if (!bin) throw new Error('VISIONSTOCK_BIN is not set (the path of the visionstock program)');
  return bin;
}

// Environment for a child: without any VISIONSTOCK_* option set by the caller's shell.
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VISIONSTOCK_')) env[k] = v;
  return { ...env, ...extra };
}

export function tempDir(prefix = 'vs-e2e-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// Every server started here accepts its own admin token (VISIONSTOCK_ADMIN_TOKEN) and has an
// admin password (VISIONSTOCK_ADMIN_PASSWORD). `fetch` below adds the token to requests to a
// started server that carry no Authorization header of their own, so tests read as before;
// tests of authentication itself use `rawFetch`, which adds nothing.
export const rawFetch = globalThis.fetch;
const tokens = new Map(); // origin -> admin token

export function authHeaders(url) {
  const token = tokens.get(new URL(url).origin);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export async function fetch(url, init = {}) {
  const headers = new Headers(init.headers || {});
  if (!headers.has('Authorization')) {
    for (const [k, v] of Object.entries(authHeaders(String(url)))) headers.set(k, v);
  }
  return rawFetch(url, { ...init, headers });
}

export const ADMIN_PASSWORD = 'e2e-admin-password';

// Resolves once the server logs "listening"; rejects if it exits first or takes over 60 s.
// `db`: the --db URL. Unset, it is a fresh database on this process's private PostgreSQL when
// VS_E2E_POSTGRES=1 (so that every API test can run against PostgreSQL), else none (SQLite in
// the data folder).
export async function startServer({ args = [], dataDir = tempDir(), env = {}, db } = {}) {
  if (db === undefined && process.env.VS_E2E_POSTGRES === '1') {
    db = await (await startPostgres()).freshDatabase();
  }
  if (db) args = ['--db', db, ...args];
  const token = env.VISIONSTOCK_ADMIN_TOKEN ?? `e2e_${randomBytes(16).toString('hex')}`;
  env = { VISIONSTOCK_ADMIN_TOKEN: token, VISIONSTOCK_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env };
  const child = spawn(
    binary(),
    ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env: cleanEnv(env) },
  );
  const logs = [];
  let buffered = '';
  const listening = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 60 s')), 60_000);
    child.stderr.on('data', (chunk) => {
      buffered += chunk.toString();
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let parsed;
        try { parsed = JSON.parse(line); } catch { parsed = { raw: line }; }
        logs.push(parsed);
        if (parsed.msg === 'listening') { clearTimeout(timer); resolve(parsed.port); }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${JSON.stringify(logs)}`));
    });
  });
  const port = await listening;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  if (token) tokens.set(url, token);
  return {
    url,
    port,
    token,
    child,
    exited, // resolves with {code, signal} once the process has exited
    dataDir,
    db,
    logs,
    pid: child.pid,
    // Sends `signal` (SIGKILL by default: a crash, no clean-up) and waits for the exit; keeps
    // the data folder.
    async kill(signal = 'SIGKILL') {
      child.kill(signal);
      return exited;
    },
    // SIGTERM, wait for a clean exit; returns {code, signal}. Removes the data folder.
    async stop({ keepData = false } = {}) {
      child.kill('SIGTERM');
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('server did not stop within 20 s')); }, 20_000);
      });
      const result = await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };
}

// The --db arguments that make a command-line run use `server`'s store (none for SQLite in the
// data folder).
export const dbArgs = (server) => (server.db ? ['--db', server.db] : []);

// Every file under <dataDir>/images (relative paths), sorted.
export function storedImages(dataDir) {
  const root = join(dataDir, 'images');
  const out = [];
  const walk = (dir) => {
    let entries;
    try { entries = readdirSync(dir); } catch { return; }
    for (const e of entries) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p); else out.push(p.slice(root.length + 1));
    }
  };
  walk(root);
  return out.sort();
}

// POST /api/detect with a multipart form; `fields` are extra text fields.
export async function upload(url, bytes, fields = {}, { filename = 'photo.jpg', query = '' } = {}) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), filename);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${url}/api/detect${query}`, { method: 'POST', body: form });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

export async function getJson(url, path, init = {}) {
  const res = await fetch(url + path, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

// Polls `check` every 100 ms until it returns something truthy, which is returned; throws
// "timed out waiting for <what>" after `ms`.
export async function until(what, check, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
