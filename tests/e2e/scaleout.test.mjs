// Several instances in front of one PostgreSQL (the test's own, tests/support): live updates cross
// instances within a second, answers agree, a killed instance loses nothing it acknowledged, and a
// PostgreSQL restart is survived without restarting any instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import WebSocket from 'ws';
import { DARKNET, authHeaders, binary, fetch, getJson, startServer, tempDir, until, upload } from './helpers/server.mjs';
import { startPostgres } from './helpers/postgres.mjs';

const PHOTOS = ['dog.jpg', 'person.jpg', 'horses.jpg', 'kite.jpg'].map((f) => readFileSync(join(DARKNET, f)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A live client that records every event it receives, in order.
async function liveClient(server, after = 0) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/live?after=${after}`, { headers: authHeaders(server.url) });
  const events = [];
  const waiters = [];
  let hello = null;
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.type === 'hello') hello = msg;
    else if (msg.id) events.push({ ...msg, at: performance.now() });
    for (const w of [...waiters]) w();
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const until = async (predicate, ms = 10_000) => {
    const deadline = performance.now() + ms;
    while (!predicate()) {
      if (performance.now() > deadline) throw new Error('live client: condition not met in time');
      await new Promise((r) => { waiters.push(r); setTimeout(r, 50); });
      waiters.length = 0;
    }
  };
  await until(() => hello !== null);
  return { ws, events, hello: () => hello, until, close: () => ws.close() };
}

async function cluster(n) {
  const pg = await startPostgres();
  const db = await pg.freshDatabase();
  const dataDir = tempDir('vs-scaleout-'); // the photo folder every instance mounts
  const servers = [];
  for (let i = 0; i < n; i++) servers.push(await startServer({ dataDir, args: ['--db', db] }));
  return {
    pg, db, dataDir, servers,
    async stop() {
      for (const s of servers) await s.stop({ keepData: true }).catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

test('an upload to instance A reaches a live client of instance B within a second; summaries agree', async () => {
  const c = await cluster(2);
  const [a, b] = c.servers;
  try {
    const client = await liveClient(b);
    const res = await upload(a.url, PHOTOS[0], { shelf_location: 'scale-1' });
    const answered = performance.now(); // A has committed by the time it answers
    assert.equal(res.status, 200);
    const mine = () => client.events.find((e) => e.type === 'scan.created' && e.payload.scan_id === res.body.scan_id);
    await client.until(() => mine() !== undefined, 1_000);
    assert.ok(mine().at - answered < 1_000, 'B heard of A\'s commit within a second');
    client.close();
    const [sa, sb] = [await getJson(a.url, '/api/summary'), await getJson(b.url, '/api/summary')];
    assert.equal(sa.status, 200);
    assert.deepEqual(sa.body, sb.body);
    assert.ok(sa.body.total_detections > 0);
    // B serves A's photo: both see the same folder.
    const image = await fetch(`${b.url}/api/scans/${res.body.scan_id}/image`, { headers: authHeaders(b.url) });
    assert.equal(image.status, 200);
  } finally {
    await c.stop();
  }
});

test('a model activated on instance A becomes instance B\'s active model too', async () => {
  const c = await cluster(2);
  const [a, b] = c.servers;
  try {
    // A second version (the bundled file under another name), uploaded to A: its file and
    // manifest land in the folder both instances share.
    const form = new FormData();
    form.append('file', new Blob([readFileSync(join(dirname(binary()), 'models', 'nanodet-416.onnx'))]), 'second.onnx');
    form.append('names', readFileSync(join(dirname(binary()), 'models', 'nanodet-416.names'), 'utf8'));
    form.append('version_name', 'second');
    const up = await fetch(`${a.url}/api/models`, { method: 'POST', body: form });
    assert.equal(up.status, 201, await up.clone().text());
    const { id } = await up.json();
    assert.notEqual((await getJson(b.url, '/health')).body.model.version_name, 'second');
    const act = await fetch(`${a.url}/api/models/${id}/activate`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(act.status, 200);
    await until('B to follow the activation', async () => (await getJson(b.url, '/health')).body.model.version_name === 'second', 5_000);
    const res = await upload(b.url, PHOTOS[0], { shelf_location: 'model-follow' });
    assert.equal(res.status, 200);
    assert.equal(res.body.model_version, 'second', 'B detects with the model A activated');
    assert.ok(b.logs.some((l) => l.msg === 'model activated by another instance, followed' && l.model_id === id));
  } finally {
    await c.stop();
  }
});

test('model settings changed on instance A apply to instance B\'s detections', async () => {
  const c = await cluster(2);
  const [a, b] = c.servers;
  try {
    const detectOnB = async () => {
      const res = await fetch(`${b.url}/api/detect`, { method: 'POST', body: PHOTOS[0], headers: { 'Content-Type': 'image/jpeg' } });
      assert.equal(res.status, 200);
      return (await res.json()).detections.map((d) => d.class_name);
    };
    assert.ok((await detectOnB()).includes('dog'), 'B finds the dog before');
    const models = await getJson(a.url, '/api/models');
    const active = (models.body.models ?? models.body).find((m) => m.is_active);
    const patch = await fetch(`${a.url}/api/models/${active.id}/settings`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ignore_classes: ['dog'] }),
    });
    assert.equal(patch.status, 200, await patch.clone().text());
    await until('B to follow the settings', async () => b.logs.some((l) => l.msg === 'model settings changed by another instance, followed' && l.model_id === active.id), 5_000);
    const after = await detectOnB();
    assert.ok(!after.includes('dog'), `B ignores dogs now: ${after}`);
    assert.ok(after.length > 0, 'and still finds the rest');
  } finally {
    await c.stop();
  }
});

test('kill -9 of one instance mid-stream: every upload it acknowledged is whole, the other serves on', async () => {
  const c = await cluster(2);
  const [a, b] = c.servers;
  try {
    const acknowledged = [];
    let stop = false;
    const stream = (async () => {
      for (let i = 0; !stop; i++) {
        const res = await upload(a.url, PHOTOS[i % PHOTOS.length], { shelf_location: 'kill-test' }).catch(() => null);
        if (!res) break; // the connection died with the process
        if (res.status === 200) acknowledged.push(res.body);
      }
    })();
    while (acknowledged.length < 3) await sleep(50);
    await a.kill('SIGKILL');
    stop = true;
    await stream;
    for (const ack of acknowledged) {
      const scan = await getJson(b.url, `/api/scans/${ack.scan_id}`);
      assert.equal(scan.status, 200, `acknowledged scan ${ack.scan_id} is missing`);
      assert.equal(scan.body.detections.length, ack.detections.length);
    }
    // Nothing half-stored: every stored scan of the stream has all its detections.
    const scans = await getJson(b.url, '/api/scans?shelf_location=kill-test&limit=1000');
    assert.equal(scans.status, 200);
    for (const s of scans.body.items) {
      const full = await getJson(b.url, `/api/scans/${s.id}`);
      assert.equal(full.body.detections.length, s.detections_count);
    }
    const after = await upload(b.url, PHOTOS[1], { shelf_location: 'kill-test' });
    assert.equal(after.status, 200);
  } finally {
    await c.stop();
  }
});

test('PostgreSQL restarts mid-stream: 503 meanwhile, both instances recover, live clients get every event once in order', async () => {
  const c = await cluster(2);
  const [a, b] = c.servers;
  try {
    const clients = [await liveClient(a), await liveClient(b)];
    const acknowledged = [];
    const statuses = new Set();
    let stop = false;
    const stream = (async () => {
      for (let i = 0; !stop; i++) {
        const target = i % 2 ? b : a;
        const res = await upload(target.url, PHOTOS[i % PHOTOS.length], { shelf_location: 'pg-restart' }).catch(() => null);
        if (res) statuses.add(res.status);
        if (res?.status === 200) acknowledged.push(res.body.scan_id);
        else await sleep(100);
      }
    })();
    while (acknowledged.length < 2) await sleep(50);
    await c.pg.kill();
    const down = await upload(a.url, PHOTOS[0], { shelf_location: 'pg-restart' });
    assert.equal(down.status, 503, 'an upload while PostgreSQL is down gets 503');
    assert.equal(down.body.error.code, 'unavailable');
    const health = await getJson(b.url, '/health');
    assert.notEqual(health.body.status, 'healthy', 'health says degraded while the database is away');
    await sleep(1500);
    await c.pg.revive();
    const before = acknowledged.length;
    const deadline = Date.now() + 30_000;
    while (acknowledged.length < before + 4 && Date.now() < deadline) await sleep(100);
    stop = true;
    await stream;
    assert.ok(acknowledged.length >= before + 4, 'uploads succeed again after PostgreSQL is back');
    assert.ok(statuses.has(503));
    // Every committed scan.created reaches both clients, once each, in id order.
    const expected = new Set(acknowledged);
    for (const client of clients) {
      await client.until(() => [...expected].every((id) => client.events.some((e) => e.type === 'scan.created' && e.payload.scan_id === id)), 15_000);
      const ids = client.events.map((e) => e.id);
      assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'events in id order');
      assert.equal(new Set(ids).size, ids.length, 'each event once');
      client.close();
    }
  } finally {
    await c.stop();
  }
});
