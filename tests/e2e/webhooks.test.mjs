// Webhooks against a real HTTP receiver started here: signed deliveries, retries with backoff,
// the deliveries route, bad subscriptions, and a pending delivery that survives a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARKNET, binary, cleanEnv, startServer, tempDir, upload, getJson, until } from './helpers/server.mjs';
import { verify } from './helpers/webhooks.mjs';

// Fast retries so that the test needs seconds, not minutes (the defaults are 10 s, doubling).
const FAST = ['--webhook-retry-base-ms', '200', '--webhook-retry-max-ms', '800'];

// A receiver that answers `statusFor(n)` to its n-th request (0-based) and keeps every request.
async function startReceiver(statusFor) {
  const requests = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const status = statusFor(requests.length);
      requests.push({ method: req.method, url: req.url, headers: req.headers, body, status });
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status < 300 ? 'ok' : 'try again');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks/visionstock`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}



const send = (server, method, path, body) => getJson(server.url, path, {
  method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' },
});

test('a delivery that fails twice is retried, then arrives signed; the route shows 3 attempts', async () => {
  const rx = await startReceiver((n) => (n < 2 ? 500 : 200));
  const server = await startServer({ args: FAST });
  try {
    const created = await send(server, 'POST', '/api/webhooks',
      { url: rx.url, event_types: ['scan.created'], description: 'e2e receiver' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const hook = created.body;
    assert.match(hook.secret, /^whsec_/);
    assert.deepEqual(hook.event_types, ['scan.created']);
    assert.equal(hook.enabled, true);

    // The secret is answered once, never listed.
    const list = await getJson(server.url, '/api/webhooks');
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 1);
    assert.equal(list.body[0].secret, undefined);
    assert.equal((await getJson(server.url, `/api/webhooks/${hook.id}`)).body.secret, undefined);

    // An event the webhook does not want, then one it wants (a real photo through the model).
    assert.equal((await send(server, 'POST', '/api/products', { class_name: 'dog', sku: 'PET-1' })).status, 201);
    const scan = await upload(server.url, readFileSync(join(DARKNET, 'dog.jpg')), { store: 'main', shelf_location: 'A1' });
    assert.equal(scan.status, 200, JSON.stringify(scan.body));

    await until('three attempts', () => rx.requests.length >= 3);
    assert.deepEqual(rx.requests.map((r) => r.status), [500, 500, 200]);
    for (const r of rx.requests) {
      assert.equal(r.method, 'POST');
      assert.equal(r.url, '/hooks/visionstock');
      assert.equal(r.headers['content-type'], 'application/json');
      assert.equal(r.headers['x-visionstock-event'], 'scan.created');
      assert.ok(verify(hook.secret, r), 'valid signature');
      assert.equal(r.body, rx.requests[0].body, 'every attempt sends the same body');
    }
    const last = rx.requests[2];
    assert.ok(!verify('whsec_some_other_secret', last), 'the signature depends on the secret');
    assert.ok(Math.abs(Number(last.headers['x-visionstock-timestamp']) - Date.now() / 1000) < 300,
      'the timestamp is current (receivers refuse old ones: replay)');
    const payload = JSON.parse(last.body);
    assert.equal(payload.type, 'scan.created');
    assert.equal(payload.webhook_id, hook.id);
    assert.equal(payload.data.scan_id, scan.body.scan_id);
    assert.equal(payload.data.store, 'main');
    assert.equal(typeof payload.event_id, 'number');
    assert.ok(!Number.isNaN(Date.parse(payload.created_at)));

    const deliveries = await until('the delivered status', async () => {
      const d = await getJson(server.url, `/api/webhooks/${hook.id}/deliveries`);
      return d.body.length === 1 && d.body[0].status === 'delivered' ? d : null;
    });
    const [d] = deliveries.body;
    assert.equal(d.attempts, 3);
    assert.equal(d.last_status, 200);
    assert.equal(d.event_type, 'scan.created');
    assert.equal(d.event_id, payload.event_id);
    assert.equal(d.next_attempt_at, null);
    assert.ok(d.delivered_at);
    assert.equal(String(d.id), last.headers['x-visionstock-delivery']);
    assert.equal((await getJson(server.url, `/api/webhooks/${hook.id}/deliveries?status=failed`)).body.length, 0);
    // Every failure was logged.
    assert.equal(server.logs.filter((l) => l.msg === 'webhook delivery failed, will retry').length, 2);

    assert.equal((await getJson(server.url, '/api/webhooks/99999/deliveries')).status, 404);
    const del = await getJson(server.url, `/api/webhooks/${hook.id}`, { method: 'DELETE' });
    assert.equal(del.status, 204);
    assert.equal((await getJson(server.url, '/api/webhooks')).body.length, 0);
  } finally {
    await server.stop();
    await rx.close();
  }
});

test('bad subscriptions are refused and store nothing', async () => {
  const server = await startServer();
  try {
    const good = { url: 'http://127.0.0.1:9/in', event_types: ['alert.*'] };
    const bad = [
      [{ ...good, url: 'https://example.com/in#frag' }, 422],
      [{ ...good, url: 'http://169.254.169.254/latest/meta-data/' }, 422],
      [{ ...good, url: 'http://[fe80::1]/' }, 422],
      [{ ...good, url: 'ftp://example.com/' }, 422],
      [{ ...good, url: 'http://user:pw@example.com/' }, 422],
      [{ ...good, event_types: [] }, 422],
      [{ ...good, event_types: ['Alert.Raised'] }, 422],
      [{ ...good, event_types: 'alert.raised' }, 422],
      [{ ...good, secret: 'short' }, 422],
      [{ event_types: ['scan.created'] }, 422],
    ];
    for (const [body, status] of bad) {
      const res = await send(server, 'POST', '/api/webhooks', body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(typeof res.body.error.message, 'string');
    }
    const notJson = await getJson(server.url, '/api/webhooks', {
      method: 'POST', body: 'url=http://x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(notJson.status, 415);
    assert.equal((await getJson(server.url, '/api/webhooks')).body.length, 0);
    // Its own secret, and later, prefixes: accepted.
    const ok = await send(server, 'POST', '/api/webhooks', { ...good, secret: 'a-long-enough-secret' });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.secret, 'a-long-enough-secret');
    // Only admins manage webhooks.
    const anon = await fetch(`${server.url}/api/webhooks`);
    assert.equal(anon.status, 401);
  } finally {
    await server.stop();
  }
});

test('link-local receivers only with --webhook-allow-link-local', async () => {
  const server = await startServer({ args: ['--webhook-allow-link-local'] });
  try {
    const res = await send(server, 'POST', '/api/webhooks',
      { url: 'http://169.254.169.254/in', event_types: ['scan.created'] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  } finally {
    await server.stop();
  }
});

test('a pending delivery survives a restart, and events committed while stopped are delivered', async () => {
  let accept = false;
  const rx = await startReceiver(() => (accept ? 204 : 503));
  const dataDir = tempDir('vs-webhooks-');
  let server = await startServer({ dataDir, args: FAST });
  let hook;
  try {
    hook = (await send(server, 'POST', '/api/webhooks',
      { url: rx.url, event_types: ['planogram.*', 'scan.created'] })).body;
    const plan = await send(server, 'POST', '/api/planograms',
      { planogram_name: 'summer', sku: 'SKU-1', shelf_location: 'A1', expected_count: 3 });
    assert.equal(plan.status, 201);
    await until('a failed attempt', async () => {
      const d = (await getJson(server.url, `/api/webhooks/${hook.id}/deliveries`)).body;
      return d.length === 1 && d[0].attempts >= 1 && d[0].status === 'pending';
    });
    const pending = (await getJson(server.url, `/api/webhooks/${hook.id}/deliveries`)).body[0];
    assert.equal(pending.last_status, 503);
    assert.match(pending.last_error, /HTTP 503/);
    assert.ok(pending.next_attempt_at);
    assert.equal((await server.stop({ keepData: true })).code, 0);

    // While no server runs, another process commits an event.
    const run = spawnSync(binary(), ['detect', join(DARKNET, 'dog.jpg'), '--data-dir', dataDir, '--store', 'offline'],
      { env: cleanEnv(), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);

    accept = true;
    const failedBefore = rx.requests.length;
    server = await startServer({ dataDir, args: FAST });
    const delivered = await until('both deliveries', async () => {
      const d = (await getJson(server.url, `/api/webhooks/${hook.id}/deliveries?status=delivered`)).body;
      return d.length === 2 ? d : null;
    });
    const types = delivered.map((d) => d.event_type).sort();
    assert.deepEqual(types, ['planogram.changed', 'scan.created']);
    const accepted = rx.requests.slice(failedBefore).filter((r) => r.status === 204);
    assert.equal(accepted.length, 2);
    for (const r of accepted) assert.ok(verify(hook.secret, r));
    const scanEvent = accepted.map((r) => JSON.parse(r.body)).find((p) => p.type === 'scan.created');
    assert.equal(scanEvent.data.store, 'offline');
    const planEvent = delivered.find((d) => d.event_type === 'planogram.changed');
    assert.ok(planEvent.attempts >= 2, 'failed before the restart, delivered after it');
  } finally {
    await server.stop();
    await rx.close();
  }
});
