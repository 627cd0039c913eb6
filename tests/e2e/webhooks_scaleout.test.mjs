// Webhooks with two instances in front of one PostgreSQL (the test's own, tests/support): both
// instances run the delivery service on the shared outbox, yet every event reaches the receiver
// exactly once, and either instance answers the deliveries route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DARKNET, getJson, startServer, tempDir, upload } from './helpers/server.mjs';
import { startPostgres } from './helpers/postgres.mjs';

const PHOTOS = ['dog.jpg', 'person.jpg', 'horses.jpg', 'kite.jpg'].map((f) => readFileSync(join(DARKNET, f)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A receiver that answers 200 and keeps every request body.
async function startReceiver() {
  const bodies = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/in`,
    bodies,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

test('two instances on one PostgreSQL deliver each event once; both list the deliveries', async () => {
  const pg = await startPostgres();
  const db = await pg.freshDatabase();
  const dataDir = tempDir('vs-webhooks-scaleout-');
  const rx = await startReceiver();
  const servers = [];
  try {
    for (let i = 0; i < 2; i++) servers.push(await startServer({ dataDir, args: ['--db', db] }));
    const [a, b] = servers;
    const created = await getJson(a.url, '/api/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: rx.url, event_types: ['scan.created'] }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const hook = created.body;
    assert.equal((await getJson(b.url, `/api/webhooks/${hook.id}`)).status, 200, 'B sees the webhook A created');

    const scanIds = [];
    for (let i = 0; i < PHOTOS.length; i++) {
      const res = await upload((i % 2 ? b : a).url, PHOTOS[i], { store: 'main', shelf_location: `S${i}` });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      scanIds.push(res.body.scan_id);
    }

    const deadline = Date.now() + 30_000;
    while (rx.bodies.length < PHOTOS.length && Date.now() < deadline) await sleep(100);
    await sleep(1500); // time for a duplicate, were one coming
    const got = rx.bodies.map((b) => JSON.parse(b));
    assert.equal(got.length, PHOTOS.length, 'one request per event, none twice');
    assert.deepEqual(got.map((p) => p.data.scan_id).sort((x, y) => x - y), [...scanIds].sort((x, y) => x - y));
    assert.equal(new Set(got.map((p) => p.event_id)).size, PHOTOS.length);

    for (const s of servers) {
      const d = await getJson(s.url, `/api/webhooks/${hook.id}/deliveries`);
      assert.equal(d.status, 200);
      assert.equal(d.body.length, PHOTOS.length);
      assert.ok(d.body.every((x) => x.status === 'delivered' && x.attempts === 1), JSON.stringify(d.body));
    }
  } finally {
    for (const s of servers) await s.stop({ keepData: true }).catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    await rx.close();
  }
});
