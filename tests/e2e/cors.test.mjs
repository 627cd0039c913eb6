// CORS through the real server: closed unless --cors-origins names origins; then only those
// origins get Access-Control-Allow-* headers (never "*", never credentials), and their pages may
// call the API with a bearer token, writes included, while cookie writes stay same-origin.
// Also: live-feed WebSockets count toward the connection caps, and --max-live-clients answers
// 503 before the upgrade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { authHeaders, rawFetch, startServer } from './helpers/server.mjs';

const GOOD = 'https://shelf.example.com';
const EVIL = 'https://evil.example';

function preflight(server, origin, method = 'POST') {
  return rawFetch(`${server.url}/api/products`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': 'authorization, content-type',
    },
  });
}

test('closed by default: no Access-Control-* header, even for a preflight', async (t) => {
  const server = await startServer();
  t.after(() => server.stop());
  const pre = await preflight(server, GOOD);
  assert.equal(pre.status, 204);
  for (const [k] of pre.headers) assert.ok(!k.startsWith('access-control-'), `no ${k}`);
  const get = await rawFetch(`${server.url}/api/summary`, { headers: { ...authHeaders(server.url), Origin: GOOD } });
  assert.equal(get.status, 200);
  assert.equal(get.headers.get('access-control-allow-origin'), null);
  // A bearer write from a foreign page is still refused.
  const write = await rawFetch(`${server.url}/api/products`, {
    method: 'POST',
    headers: { ...authHeaders(server.url), Origin: GOOD, 'Content-Type': 'application/json' },
    body: JSON.stringify({ class_name: 'cup', sku: 'CUP-1' }),
  });
  assert.equal(write.status, 403);
});

test('--cors-origins: only the configured origins, exactly, without credentials', async (t) => {
  const server = await startServer({ args: ['--cors-origins', `${GOOD},http://10.1.2.3:9000`] });
  t.after(() => server.stop());

  const pre = await preflight(server, GOOD);
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), GOOD);
  assert.match(pre.headers.get('access-control-allow-methods'), /\bPOST\b/);
  assert.match(pre.headers.get('access-control-allow-headers'), /Authorization/);
  assert.equal(pre.headers.get('access-control-allow-credentials'), null);
  assert.match(pre.headers.get('vary'), /Origin/);

  const evil = await preflight(server, EVIL);
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  assert.equal(evil.headers.get('access-control-allow-methods'), null);

  const get = await rawFetch(`${server.url}/api/summary`, { headers: { ...authHeaders(server.url), Origin: GOOD } });
  assert.equal(get.status, 200);
  assert.equal(get.headers.get('access-control-allow-origin'), GOOD);
  assert.match(get.headers.get('access-control-expose-headers'), /ETag/);
  const evilGet = await rawFetch(`${server.url}/api/summary`, { headers: { ...authHeaders(server.url), Origin: EVIL } });
  assert.equal(evilGet.headers.get('access-control-allow-origin'), null);

  // A page of the configured origin writes with its token; a foreign page cannot.
  const body = JSON.stringify({ class_name: 'cup', sku: 'CUP-1' });
  const write = await rawFetch(`${server.url}/api/products`, {
    method: 'POST',
    headers: { ...authHeaders(server.url), Origin: GOOD, 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'application/json' },
    body,
  });
  assert.equal(write.status, 201, await write.text());
  assert.equal(write.headers.get('access-control-allow-origin'), GOOD);
  const evilWrite = await rawFetch(`${server.url}/api/products`, {
    method: 'POST',
    headers: { ...authHeaders(server.url), Origin: EVIL, 'Content-Type': 'application/json' },
    body,
  });
  assert.equal(evilWrite.status, 403);
  // Still the route's media type: a form-encoded body from the configured origin is 415.
  const form = await rawFetch(`${server.url}/api/products`, {
    method: 'POST',
    headers: { ...authHeaders(server.url), Origin: GOOD, 'Content-Type': 'text/plain' },
    body,
  });
  assert.equal(form.status, 415);
});

test('--cors-origins refuses "*"', async () => {
  await assert.rejects(startServer({ args: ['--cors-origins', '*'] }), /exited with 1/);
});

// A raw upgrade to the live feed; resolves with the socket and the status line it got.
function openLive(server, localAddress) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port: server.port, host: '127.0.0.1', localAddress });
    s.on('error', reject);
    s.once('data', (d) => resolve({ socket: s, status: Number(d.toString().split(' ')[1]), text: d.toString() }));
    s.write(`GET /api/live HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\n` +
      'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
      `Authorization: ${authHeaders(server.url).Authorization}\r\n\r\n`);
  });
}

test('live connections count toward the connection caps until they close', async (t) => {
  const server = await startServer({ args: ['--max-connections', '16', '--max-connections-per-ip', '4'] });
  t.after(() => server.stop());
  const open = [];
  t.after(() => open.forEach((c) => c.socket.destroy()));
  for (let i = 0; i < 4; i++) {
    const c = await openLive(server, '127.0.0.5');
    assert.equal(c.status, 101);
    open.push(c);
  }
  // The fifth connection from that address is over its cap, an upgrade or not.
  const fifth = await openLive(server, '127.0.0.5');
  assert.equal(fifth.status, 429, fifth.text);
  fifth.socket.destroy();
  // 12 more from other addresses fill the server-wide cap of 16.
  for (let i = 0; i < 12; i++) {
    const c = await openLive(server, `127.0.0.${10 + (i % 3)}`);
    assert.equal(c.status, 101);
    open.push(c);
  }
  const over = await openLive(server, '127.0.0.20');
  assert.equal(over.status, 503, over.text);
  assert.match(over.text, /Retry-After: 1/i);
  over.socket.destroy();
  // Once the live clients leave, their places are free again (a bounded wait).
  open.splice(0).forEach((c) => c.socket.destroy());
  let status = 0;
  for (let i = 0; i < 100 && status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    status = (await rawFetch(`${server.url}/health`).catch(() => ({ status: 0 }))).status;
  }
  assert.equal(status, 200);
});

test('--max-live-clients answers 503 with Retry-After before the upgrade', async (t) => {
  const server = await startServer({ args: ['--max-live-clients', '2'] });
  t.after(() => server.stop());
  const a = await openLive(server);
  const b = await openLive(server);
  t.after(() => { a.socket.destroy(); b.socket.destroy(); });
  assert.equal(a.status, 101);
  assert.equal(b.status, 101);
  const c = await openLive(server);
  assert.equal(c.status, 503, c.text);
  assert.match(c.text, /Retry-After: 1/i);
  assert.match(c.text, /too many live clients/);
  c.socket.destroy();
  a.socket.destroy();
  let status = 0;
  for (let i = 0; i < 100 && status !== 101; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const d = await openLive(server);
    status = d.status;
    d.socket.destroy();
  }
  assert.equal(status, 101, 'a place is free once a client has left');
});
