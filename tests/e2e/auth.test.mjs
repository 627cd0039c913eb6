// Authentication end to end: the first admin account, logins and their cookie, the failed-login
// budget, API tokens from the command line, roles, cross-site writes and the live feed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { DARKNET, binary, cleanEnv, rawFetch, startServer, tempDir, dbArgs } from './helpers/server.mjs';

const json = (body) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const cli = (args, env = {}) => spawnSync(binary(), args, { env: cleanEnv(env), encoding: 'utf8' });

test('first start: a random admin password in a private file, and a login with it', async () => {
  // No VISIONSTOCK_ADMIN_PASSWORD: the server makes one up.
  const server = await startServer({ env: { VISIONSTOCK_ADMIN_PASSWORD: '' } });
  try {
    const file = join(server.dataDir, 'initial-admin-password');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const password = readFileSync(file, 'utf8').trim();
    assert.ok(password.length >= 16);
    assert.ok(server.logs.some((l) => l.msg === 'created the first admin account' && l.password_file === file));

    assert.equal((await rawFetch(`${server.url}/api/summary`)).status, 401, 'reads need a login');
    assert.equal((await rawFetch(`${server.url}/health`)).status, 200, 'health does not');
    const wrong = await rawFetch(`${server.url}/api/login`, json({ name: 'admin', password: 'not it' }));
    assert.equal(wrong.status, 401);
    const res = await rawFetch(`${server.url}/api/login`, json({ name: 'admin', password }));
    assert.equal(res.status, 200);
    assert.equal((await res.json()).user.role, 'admin');
    const cookie = res.headers.get('set-cookie');
    assert.match(cookie, /^vs_session=[^;]{20,}; /);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const session = cookie.split(';')[0];
    const me = await rawFetch(`${server.url}/api/me`, { headers: { Cookie: session } });
    assert.deepEqual(await me.json(), { name: 'admin', role: 'admin' });

    // Cookie writes must come from the dashboard's own origin.
    const product = { class_name: 'bottle', sku: 'SKU-BOTTLE' };
    const evil = await rawFetch(`${server.url}/api/products`, {
      ...json(product), headers: { 'Content-Type': 'application/json', Cookie: session, Origin: 'http://evil.example' },
    });
    assert.equal(evil.status, 403);
    const bare = await rawFetch(`${server.url}/api/products`, { ...json(product), headers: { 'Content-Type': 'application/json', Cookie: session } });
    assert.equal(bare.status, 403, 'no Origin, no Sec-Fetch-Site');
    const own = await rawFetch(`${server.url}/api/products`, {
      ...json(product), headers: { 'Content-Type': 'application/json', Cookie: session, Origin: server.url },
    });
    assert.equal(own.status, 201);

    const out = await rawFetch(`${server.url}/api/logout`, { method: 'POST', headers: { Cookie: session, Origin: server.url } });
    assert.equal(out.status, 204);
    assert.equal((await rawFetch(`${server.url}/api/me`, { headers: { Cookie: session } })).status, 401, 'the session ended');
  } finally {
    await server.stop();
  }
});

test('failed logins are limited per address', async () => {
  const server = await startServer({ args: ['--login-attempts', '3'] });
  try {
    for (let i = 0; i < 3; i++) {
      assert.equal((await rawFetch(`${server.url}/api/login`, json({ name: 'admin', password: `guess-${i}` }))).status, 401);
    }
    const blocked = await rawFetch(`${server.url}/api/login`, json({ name: 'admin', password: 'e2e-admin-password' }));
    assert.equal(blocked.status, 429, 'even the right password waits');
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    assert.equal((await blocked.json()).error.code, 'too_many_requests');
  } finally {
    await server.stop();
  }
});

test('behind a trusted proxy, failed logins are limited per forwarded client; others are not believed', async () => {
  const via = (address, body) => {
    const init = json(body);
    init.headers['X-Forwarded-For'] = address;
    return rawFetch(`${server.url}/api/login`, init);
  };
  let server = await startServer({ args: ['--login-attempts', '2', '--trusted-proxies', '127.0.0.1,::1'] });
  try {
    for (let i = 0; i < 2; i++) assert.equal((await via('198.51.100.7', { name: 'admin', password: `guess-${i}` })).status, 401);
    assert.equal((await via('198.51.100.7', { name: 'admin', password: 'guess-2' })).status, 429);
    // Another client behind the same proxy keeps its own budget; a forged entry before it is ignored.
    assert.equal((await via('6.6.6.6, 198.51.100.8', { name: 'admin', password: 'e2e-admin-password' })).status, 200);
    assert.equal((await via('198.51.100.7, 198.51.100.8', { name: 'admin', password: 'e2e-admin-password' })).status, 200);
    assert.ok(server.logs.some((l) => l.path === '/api/login' && l.status === 429 && l.remote === '198.51.100.7'),
      'the access log names the forwarded client');
  } finally {
    await server.stop();
  }
  // Without --trusted-proxies the header names nobody: every caller here is 127.0.0.1.
  server = await startServer({ args: ['--login-attempts', '2'] });
  try {
    for (let i = 0; i < 2; i++) assert.equal((await via(`198.51.100.${i}`, { name: 'admin', password: 'wrong' })).status, 401);
    assert.equal((await via('198.51.100.9', { name: 'admin', password: 'e2e-admin-password' })).status, 429);
  } finally {
    await server.stop();
  }
});

test('tokens and users from the command line; each role reaches what it may', async () => {
  const dataDir = tempDir('vs-auth-cli-');
  const server = await startServer({ dataDir });
  try {
    const made = (role) => {
      const run = cli(['token', 'create', `${role} script`, '--role', role, '--json', '--data-dir', dataDir, ...dbArgs(server)]);
      assert.equal(run.status, 0, run.stderr);
      return JSON.parse(run.stdout);
    };
    const viewer = made('viewer');
    const operator = made('operator');
    assert.match(viewer.token, /^vst_/);
    const as = (t) => ({ Authorization: `Bearer ${t.token}` });
    const dog = readFileSync(join(DARKNET, 'dog.jpg'));
    const upload = (headers) => rawFetch(`${server.url}/api/detect`, { method: 'POST', body: dog, headers: { ...headers, 'Content-Type': 'image/jpeg' } });

    assert.equal((await rawFetch(`${server.url}/api/summary`, { headers: as(viewer) })).status, 200);
    assert.equal((await upload(as(viewer))).status, 403, 'viewers do not upload');
    assert.equal((await upload(as(operator))).status, 200, 'operators do');
    assert.equal((await upload({})).status, 401);
    const plan = { planogram_name: 'p', sku: 'dog', expected_count: 1 };
    assert.equal((await rawFetch(`${server.url}/api/planograms`, { ...json(plan), headers: { ...as(operator), 'Content-Type': 'application/json' } })).status, 403);

    // Users: add one with a password from the environment, log in, remove.
    const add = cli(['user', 'add', 'dana', '--role', 'viewer', '--data-dir', dataDir, ...dbArgs(server)], { VISIONSTOCK_USER_PASSWORD: 'dana-password' });
    assert.equal(add.status, 0, add.stderr);
    const list = JSON.parse(cli(['user', 'list', '--json', '--data-dir', dataDir, ...dbArgs(server)]).stdout);
    assert.deepEqual(list.map((u) => [u.name, u.role]).sort(), [['admin', 'admin'], ['dana', 'viewer']]);
    assert.equal((await rawFetch(`${server.url}/api/login`, json({ name: 'dana', password: 'dana-password' }))).status, 200);

    // Revoked tokens stop working at once.
    const revoke = cli(['token', 'revoke', String(viewer.id), '--data-dir', dataDir, ...dbArgs(server)]);
    assert.equal(revoke.status, 0, revoke.stderr);
    assert.equal((await rawFetch(`${server.url}/api/summary`, { headers: as(viewer) })).status, 401);

    // The audit log names who did what.
    const audit = await (await rawFetch(`${server.url}/api/audit`, { headers: { Authorization: `Bearer ${server.token}` } })).json();
    assert.ok(audit.some((e) => e.actor === 'cli' && e.action === 'token.revoke'));
    assert.ok(audit.some((e) => e.action === 'POST /api/planograms' && e.status === 403 && e.actor.startsWith('token:')));

    // The live feed needs the viewer role too.
    const refused = await new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/live`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.on('open', () => { ws.close(); resolve(101); });
      ws.on('error', () => {});
    });
    assert.equal(refused, 401);
  } finally {
    await server.stop();
  }
});
