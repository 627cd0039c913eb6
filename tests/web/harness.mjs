// Shared setup of the dashboard's browser tests: the real `visionstock serve` on a free port
// with a temporary data folder, and Debian's Chromium driven by playwright-core.
//
// Environment: VISIONSTOCK_BIN (the program, required), VS_SCREENSHOT_DIR (where screenshots go;
// default <program dir>/screenshots), VS_CHROMIUM (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BIN = process.env.VISIONSTOCK_BIN;
if (!BIN || !fs.existsSync(BIN)) {
  throw new Error(`VISIONSTOCK_BIN must name the built visionstock program (got ${JSON.stringify(BIN)}); run through ctest`);
}
export const SCREENSHOT_DIR = process.env.VS_SCREENSHOT_DIR || path.join(path.dirname(BIN), 'screenshots');
const CHROMIUM = process.env.VS_CHROMIUM || '/usr/bin/chromium';
export const PHOTOS = '/usr/share/darknet/data';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every server started here has this admin password and its own admin API token; browsers
// launched afterwards are logged in to every started server (launchBrowser({ anonymous: true })
// for one that is not), and the helpers below send the token.
export const ADMIN_PASSWORD = 'web-admin-password';
const servers = []; // {base, token}
const tokenFor = (base) => servers.find((s) => base.startsWith(s.base))?.token;
export function authHeaders(base) {
  const token = tokenFor(base);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// Logs `context` in to `base` as admin: POST /api/login, and the session cookie into the context.
export async function login(context, base, password = ADMIN_PASSWORD, name = 'admin') {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  if (!res.ok) throw new Error(`login to ${base}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const eq = cookie.indexOf('=');
  await context.addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: base }]);
}

// Starts `visionstock serve` and waits until /api/health answers. Returns {base, dataDir, stop}.
export async function startServer() {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-web-data-'));
  const token = `web_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const proc = spawn(BIN, ['serve', '--port', String(port), '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VISIONSTOCK_ADMIN_PASSWORD: ADMIN_PASSWORD, VISIONSTOCK_ADMIN_TOKEN: token },
  });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  let exited = null;
  proc.on('exit', (code, signal) => (exited = { code, signal }));

  const base = `http://localhost:${port}`;
  servers.push({ base, token });
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`visionstock serve exited (${JSON.stringify(exited)}) before answering:\n${output}`);
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.ok) {
        const h = await res.json();
        if (h.model && h.model.status !== 'ready') {
          throw new Error(`the detector is not ready: ${JSON.stringify(h.model)}\n${output}`);
        }
        break;
      }
    } catch (e) {
      if (e.message.startsWith('the detector')) throw e;
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`visionstock serve did not answer /api/health within 90 s:\n${output}`);
    }
    await sleep(100);
  }

  const stop = async () => {
    if (!exited) {
      proc.kill('SIGTERM');
      for (let i = 0; i < 100 && !exited; i++) await sleep(100);
      if (!exited) proc.kill('SIGKILL');
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { base, dataDir, stop, output: () => output };
}

// Chromium with a fresh profile. Returns {context, newPage, close}; pages record console
// errors and uncaught exceptions in page.errors.
export async function launchBrowser(opts = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vs-web-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: opts.viewport || { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  if (!opts.anonymous) for (const { base } of servers) await login(context, base);
  const newPage = async () => {
    const page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
    return page;
  };
  const close = async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { context, newPage, close };
}

// POST /api/detect with a photo from disk, as a client other than the dashboard would.
export async function uploadPhoto(base, file, fields = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([fs.readFileSync(file)], { type: 'image/jpeg' }), path.basename(file));
  const res = await fetch(`${base}/api/detect`, { method: 'POST', body: form, headers: authHeaders(base) });
  const body = await res.json();
  if (!res.ok) throw new Error(`POST /api/detect ${file}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export async function api(base, pathAndQuery, init = {}) {
  const res = await fetch(base + pathAndQuery, { ...init, headers: { ...authHeaders(base), ...(init.headers || {}) } });
  if (!res.ok) throw new Error(`${init?.method || 'GET'} ${pathAndQuery}: ${res.status} ${await res.text()}`);
  return res;
}

export async function getJson(base, pathAndQuery) {
  return (await api(base, pathAndQuery)).json();
}

// Waits until the dashboard's live store has opened the WebSocket.
export async function waitLive(page, timeout = 15_000) {
  await page.locator('[data-testid="live-status"][data-mode="live"]').waitFor({ timeout });
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

// Reads the KPI strip as {key: data-value}.
export async function readKpis(page) {
  return page.$$eval('[data-testid="kpis"] [data-kpi]', (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.kpi, e.dataset.value])),
  );
}
