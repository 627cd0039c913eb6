// GET /api/live through the real server: upgrade, hello, then the scan.created event of an upload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { DARKNET, authHeaders, binary, cleanEnv, dbArgs, startServer, tempDir, upload, getJson } from './helpers/server.mjs';

function nextMessage(ws, predicate) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching message within 30 s')), 30_000);
    const onMessage = (data) => {
      const msg = JSON.parse(data.toString());
      if (predicate(msg)) { clearTimeout(timer); ws.off('message', onMessage); resolve(msg); }
    };
    ws.on('message', onMessage);
  });
}

test('a live client gets hello, then the event of a new scan', async () => {
  const server = await startServer();
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/live?after=0`, { headers: authHeaders(server.url) });
    const hello = nextMessage(ws, (m) => m.type === 'hello');
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const h = await hello;
    assert.equal(typeof h.last_event_id, 'number');
    assert.equal((await getJson(server.url, '/health')).body.live_clients, 1);

    const created = nextMessage(ws, (m) => m.type === 'scan.created');
    const res = await upload(server.url, readFileSync(join(DARKNET, 'dog.jpg')), { shelf_location: 'live-1' });
    assert.equal(res.status, 200);
    const event = await created;
    assert.ok(event.id > h.last_event_id);
    // Ids and a few fields, never the record.
    assert.deepEqual(Object.keys(event.payload).sort(),
      ['captured_at', 'detections_count', 'scan_id', 'shelf_location', 'store']);
    assert.equal(event.payload.scan_id, res.body.scan_id);
    assert.equal(event.payload.shelf_location, 'live-1');
    assert.equal(event.payload.detections_count, res.body.detections.length);
    ws.close();
    const plain = await getJson(server.url, '/api/live');
    assert.equal(plain.status, 400, 'a plain GET is not an upgrade');
  } finally {
    await server.stop();
  }
});

test('a scan made by `visionstock detect` beside the server reaches its live clients', async () => {
  const dataDir = tempDir('vs-live-cli-');
  const server = await startServer({ dataDir });
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/live`, { headers: authHeaders(server.url) });
    const hello = nextMessage(ws, (m) => m.type === 'hello');
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    await hello;
    const created = nextMessage(ws, (m) => m.type === 'scan.created');
    const run = spawnSync(binary(), ['detect', join(DARKNET, 'dog.jpg'), '--json', '--shelf-location', 'cli-live', '--data-dir', dataDir, ...dbArgs(server)],
      { env: cleanEnv(), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const printed = JSON.parse(run.stdout.trim());
    const event = await created;
    assert.equal(event.payload.scan_id, printed.scan_id);
    assert.equal(event.payload.shelf_location, 'cli-live');
    ws.close();
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
