// Operating the server: GET /metrics counts real requests by route pattern, who may read it,
// X-Request-Id round trips, the JSON access log, /health/live and /health/ready, and a SIGTERM
// that turns not-ready, then answers the request in flight before exiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ADMIN_PASSWORD, DARKNET, authHeaders, getJson, rawFetch, startServer, tempDir, upload } from './helpers/server.mjs';
import { startPostgres } from './helpers/postgres.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A GET with exactly these headers (fetch would not send a Host of our choosing).
function rawGet(port, path, headers) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

// The sample lines of an exposition: "name{labels}" -> value (number).
function samples(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

async function scrape(url, headers = {}) {
  const res = await rawFetch(`${url}/metrics`, { headers });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return { text: await res.text(), res };
}

test('requests, detections and live events are counted in /metrics by route pattern', async () => {
  const server = await startServer();
  try {
    for (let i = 0; i < 3; i++) assert.equal((await getJson(server.url, '/api/summary')).status, 200);
    assert.equal((await getJson(server.url, '/api/scans/987654')).status, 404);
    assert.equal((await getJson(server.url, '/api/no-such-route')).status, 404);

    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/live`, { headers: authHeaders(server.url) });
    const messages = [];
    ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    for (let i = 0; i < 500 && !messages.some((m) => m.type === 'hello'); i++) await sleep(20);
    const res = await upload(server.url, readFileSync(join(DARKNET, 'dog.jpg')), { shelf_location: 'm-1' });
    assert.equal(res.status, 200);
    for (let i = 0; i < 500 && !messages.some((m) => m.type === 'scan.created'); i++) await sleep(20);
    assert.ok(messages.some((m) => m.type === 'scan.created'));

    // From loopback, without any credentials (the default --metrics-access local).
    const { text } = await scrape(server.url);
    const s = samples(text);
    const get = (route, status) =>
      s.get(`visionstock_http_requests_total{method="GET",route="${route}",status="${status}"}`);
    assert.equal(get('/api/summary', 200), 3);
    assert.equal(get('/api/scans/{id}', 404), 1);
    assert.equal(get('none', 404), 1, 'an unmatched path has no route of its own');
    assert.equal(s.get('visionstock_http_requests_total{method="POST",route="/api/detect",status="200"}'), 1);
    assert.equal(s.get('visionstock_http_requests_total{method="GET",route="/api/live",status="101"}'), 1);
    assert.doesNotMatch(text, /987654|no-such-route/, 'raw paths never become label values');
    assert.equal(
      s.get('visionstock_http_request_duration_seconds_count{method="GET",route="/api/summary",status="200"}'), 3);
    assert.equal(
      s.get('visionstock_http_request_duration_seconds_bucket{method="GET",route="/api/summary",status="200",le="+Inf"}'), 3);
    assert.equal(s.get('visionstock_detection_duration_seconds_count'), 1);
    assert.equal(s.get('visionstock_decode_duration_seconds_count'), 1);
    assert.ok(s.get('visionstock_detection_duration_seconds_sum') > 0);
    assert.equal(s.get('visionstock_live_clients'), 1);
    assert.ok(s.get('visionstock_live_events_delivered_total') >= 1);
    assert.equal(s.get('visionstock_live_events_replayed_total'), 0);
    assert.equal(s.get('visionstock_db_pool_max'), 8);
    assert.ok(s.get('visionstock_db_pool_acquired_total') > 0);
    assert.equal(s.get('visionstock_db_errors_total'), 0);
    assert.equal(s.get('visionstock_detect_queue_depth'), 0);
    assert.ok(s.get('visionstock_detect_queue_capacity') >= 2);
    assert.equal(s.get('visionstock_http_requests_in_flight'), 1, 'the scrape itself');
    assert.equal(s.get('visionstock_shutting_down'), 0);
    assert.match(text, /^visionstock_build_info\{backend="sqlite",version="[0-9.]+"\} 1$/m);
    assert.ok(!text.includes('visionstock_db_listen_up'), 'SQLite has no LISTEN connection');

    // A replay is counted as such.
    const replayed = new WebSocket(`ws://127.0.0.1:${server.port}/api/live?after=0`, { headers: authHeaders(server.url) });
    const got = [];
    replayed.on('message', (m) => got.push(JSON.parse(m.toString())));
    await new Promise((resolve, reject) => { replayed.once('open', resolve); replayed.once('error', reject); });
    for (let i = 0; i < 500 && !got.some((m) => m.type === 'scan.created'); i++) await sleep(20);
    const after = samples((await scrape(server.url)).text);
    assert.ok(after.get('visionstock_live_events_replayed_total') >= 1);
    assert.equal(after.get('visionstock_live_clients'), 2);
    assert.equal(after.get('visionstock_http_requests_total{method="GET",route="/metrics",status="200"}'), 1);
    ws.close();
    replayed.close();
  } finally {
    await server.stop();
  }
});

test('on PostgreSQL: the pool, the LISTEN connection and the last event id of each instance', async () => {
  const pg = await startPostgres();
  const db = await pg.freshDatabase();
  const dataDir = tempDir('vs-metrics-pg-');
  const a = await startServer({ dataDir, args: ['--db', db] });
  const b = await startServer({ dataDir, args: ['--db', db] });
  try {
    const res = await upload(a.url, readFileSync(join(DARKNET, 'dog.jpg')), { shelf_location: 'pg-1' });
    assert.equal(res.status, 200);
    let sa, sb;
    for (let i = 0; i < 100; i++) {
      [sa, sb] = [samples((await scrape(a.url)).text), samples((await scrape(b.url)).text)];
      if (sb.get('visionstock_db_listen_last_event_id') >= sa.get('visionstock_db_listen_last_event_id')) break;
      await sleep(50);
    }
    for (const s of [sa, sb]) {
      assert.ok([...s].some(([k, v]) => /^visionstock_build_info\{backend="postgresql",version="[0-9.]+"\}$/.test(k) && v === 1));
      assert.equal(s.get('visionstock_db_listen_up'), 1);
      assert.ok(s.get('visionstock_db_pool_max') >= 1);
      assert.ok(s.get('visionstock_db_pool_acquired_total') > 0);
      assert.ok(s.get('visionstock_db_pool_open') >= 1);
      assert.equal(s.get('visionstock_db_errors_total'), 0);
    }
    assert.ok(sa.get('visionstock_db_listen_last_event_id') > 0);
    assert.equal(sb.get('visionstock_db_listen_last_event_id'), sa.get('visionstock_db_listen_last_event_id'),
      'B has delivered what A committed');
  } finally {
    await a.stop({ keepData: true });
    await b.stop({ keepData: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('/metrics: loopback without a proxy, the admin role or the metrics token; nobody else', async () => {
  const metricsToken = 'scrape-secret-0123456789';
  const server = await startServer({ env: { VISIONSTOCK_METRICS_TOKEN: metricsToken } });
  try {
    // Through a proxy on this machine every caller looks local: forwarded requests are not.
    const proxied = await rawFetch(`${server.url}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
    assert.equal(proxied.status, 401);
    assert.equal((await proxied.json()).error.code, 'unauthenticated');
    assert.match(proxied.headers.get('www-authenticate'), /^Bearer/);
    await scrape(server.url, { 'X-Forwarded-For': '203.0.113.9', Authorization: `Bearer ${metricsToken}` });
    await scrape(server.url, { 'X-Forwarded-For': '203.0.113.9', ...authHeaders(server.url) });
    const wrong = await rawFetch(`${server.url}/metrics`, {
      headers: { 'X-Forwarded-For': '203.0.113.9', Authorization: 'Bearer scrape-secret-0123456788' },
    });
    assert.equal(wrong.status, 401);
    // The metrics token opens /metrics and nothing else.
    const other = await rawFetch(`${server.url}/api/summary`, { headers: { Authorization: `Bearer ${metricsToken}` } });
    assert.equal(other.status, 401);
  } finally {
    await server.stop();
  }
  const strict = await startServer({ args: ['--metrics-access', 'token'] });
  try {
    assert.equal((await rawFetch(`${strict.url}/metrics`)).status, 401, 'loopback alone is not enough');
    await scrape(strict.url, authHeaders(strict.url));
  } finally {
    await strict.stop();
  }
});

test('X-Request-Id round trip and one JSON access-log line per request, without secrets', async () => {
  const server = await startServer();
  try {
    const mine = await rawFetch(`${server.url}/health`, { headers: { 'X-Request-Id': 'lb-42.abc:DEF_9' } });
    assert.equal(mine.headers.get('x-request-id'), 'lb-42.abc:DEF_9', 'a sane id from a proxy is kept');
    const generated = new Set();
    for (const bad of [undefined, 'has space', 'x'.repeat(65), 'quote"d', '']) {
      const headers = bad === undefined ? {} : { 'X-Request-Id': bad };
      const res = await rawFetch(`${server.url}/health`, { headers });
      const id = res.headers.get('x-request-id');
      assert.match(id, /^[0-9a-f]{16}$/, `replaced: ${JSON.stringify(bad)}`);
      generated.add(id);
    }
    assert.equal(generated.size, 5, 'generated ids differ');
    // Refused before any handler (a bad Host) still carries an id.
    const refused = await rawGet(server.port, '/api/summary', { Host: 'evil.example' });
    assert.equal(refused.status, 400);
    assert.match(refused.headers['x-request-id'], /^[0-9a-f]{16}$/);

    const login = await rawFetch(`${server.url}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'login-1' },
      body: JSON.stringify({ name: 'admin', password: ADMIN_PASSWORD }),
    });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie').split(';')[0];
    const me = await rawFetch(`${server.url}/api/scans/5?limit=1`, { headers: { Cookie: cookie, 'X-Request-Id': 'cookie-1' } });
    assert.equal(me.status, 404);
    const token = await rawFetch(`${server.url}/api/summary`, { headers: { ...authHeaders(server.url), 'X-Request-Id': 'token-1' } });
    assert.equal(token.status, 200);
    await sleep(100);

    const lines = server.logs.filter((l) => l.msg === 'request');
    const byId = (id) => lines.filter((l) => l.request_id === id);
    assert.equal(byId('lb-42.abc:DEF_9').length, 1, 'exactly one line per request');
    const line = byId('cookie-1')[0];
    assert.deepEqual(Object.keys(line).sort(),
      ['bytes', 'level', 'method', 'ms', 'msg', 'path', 'remote', 'request_id', 'route', 'status', 'ts', 'user']);
    assert.equal(line.method, 'GET');
    assert.equal(line.route, '/api/scans/{id}');
    assert.equal(line.path, '/api/scans/5', 'the path without its query');
    assert.equal(line.status, 404);
    assert.equal(line.remote, '127.0.0.1');
    assert.equal(line.user, 'admin');
    assert.ok(line.bytes > 0 && typeof line.ms === 'number');
    assert.equal(byId('token-1')[0].user, 'env-token', 'the admin token is named, never shown');
    assert.equal(byId('login-1')[0].route, '/api/login');
    assert.equal(byId('lb-42.abc:DEF_9')[0].user, undefined, 'no user when not authenticated');
    assert.ok(lines.some((l) => l.status === 400 && l.route === ''), 'refusals are logged too');
    const all = JSON.stringify(server.logs);
    assert.ok(!all.includes(server.token), 'no token in the log');
    assert.ok(!all.includes(ADMIN_PASSWORD), 'no password in the log');
    assert.ok(!all.includes(cookie.split('=')[1]), 'no session cookie in the log');
  } finally {
    await server.stop();
  }
  const quiet = await startServer({ args: ['--access-log', 'false'] });
  try {
    for (let i = 0; i < 3; i++) await getJson(quiet.url, '/api/summary');
    await sleep(100);
    assert.equal(quiet.logs.filter((l) => l.msg === 'request').length, 0, '--access-log false');
    assert.ok(quiet.logs.some((l) => l.msg === 'listening'), 'other lines stay');
  } finally {
    await quiet.stop();
  }
});

test('/health/live and /health/ready: ready needs the store and the model (unless optional)', async () => {
  const server = await startServer();
  try {
    const live = await getJson(server.url, '/health/live');
    assert.equal(live.status, 200);
    assert.deepEqual(live.body, { status: 'alive' });
    const ready = await rawFetch(`${server.url}/health/ready`);
    assert.equal(ready.status, 200, 'no login needed');
    assert.deepEqual(await ready.json(),
      { status: 'ready', checks: { store: 'ok', model: 'ready', shutting_down: false } });
    assert.equal((await getJson(server.url, '/health')).body.status, 'healthy', '/health as before');
  } finally {
    await server.stop();
  }

  // A data folder whose database the server cannot open: alive, not ready.
  const dataDir = tempDir();
  mkdirSync(join(dataDir, 'visionstock.db'));
  const broken = await startServer({ dataDir });
  try {
    assert.equal((await rawFetch(`${broken.url}/health/live`)).status, 200);
    const ready = await rawFetch(`${broken.url}/health/ready`);
    assert.equal(ready.status, 503);
    const body = await ready.json();
    assert.equal(body.status, 'not_ready');
    assert.equal(body.checks.store, 'unavailable');
    assert.match(body.reasons.join(' '), /store unavailable/);
    assert.ok(!JSON.stringify(body).includes(dataDir), 'no server paths');
    const health = await getJson(broken.url, '/health');
    assert.equal(health.status, 200, '/health keeps its answer');
    assert.equal(health.body.status, 'degraded');
  } finally {
    await broken.stop();
  }

  const noModel = await startServer({ args: ['--model', '/nonexistent/model.onnx'] });
  try {
    const ready = await rawFetch(`${noModel.url}/health/ready`);
    assert.equal(ready.status, 503);
    assert.equal((await ready.json()).checks.model, 'unavailable');
  } finally {
    await noModel.stop();
  }
  const optional = await startServer({ args: ['--model', '/nonexistent/model.onnx', '--model-optional'] });
  try {
    const ready = await rawFetch(`${optional.url}/health/ready`);
    assert.equal(ready.status, 200);
    assert.equal((await ready.json()).checks.model, 'optional');
  } finally {
    await optional.stop();
  }
});

test('SIGTERM: not ready at once, no new connections, the upload in flight answered, exit 0', async () => {
  const server = await startServer({ args: ['--shutdown-delay-ms', '1500', '--drain-seconds', '10'] });
  const photo = readFileSync(join(DARKNET, 'dog.jpg'));
  const boundary = 'vsboundary42';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="dog.jpg"\r\n` +
    'Content-Type: image/jpeg\r\n\r\n');
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, photo, tail]);
  // An upload whose body is still arriving when SIGTERM comes.
  const answer = new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1', port: server.port, path: '/api/detect?shelf_location=drain', method: 'POST',
      headers: { ...authHeaders(server.url), 'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'Content-Length': body.length },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.write(body.subarray(0, 1000));
    setTimeout(() => {
      server.child.kill('SIGTERM');
      setTimeout(() => req.end(body.subarray(1000)), 2500); // after the delay: the drain waits
    }, 200);
  });
  try {
    await sleep(400);
    const during = await rawFetch(`${server.url}/health/ready`);
    assert.equal(during.status, 503, 'not ready once SIGTERM has come');
    const reasons = await during.json();
    assert.equal(reasons.checks.shutting_down, true);
    assert.equal((await rawFetch(`${server.url}/health/live`)).status, 200, 'still alive meanwhile');
    await sleep(1800); // past the delay: the listener is closed
    await assert.rejects(rawFetch(`${server.url}/health/live`), 'new connections are refused');
    const res = await answer;
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.connection, 'close');
    assert.equal(JSON.parse(res.text).shelf_location, 'drain');
    const exit = await server.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(server.logs.some((l) => l.msg === 'stopped'));
    assert.ok(!server.logs.some((l) => /still in flight/.test(l.msg ?? '')));
  } finally {
    server.child.kill('SIGKILL');
    rmSync(server.dataDir, { recursive: true, force: true });
  }
});
