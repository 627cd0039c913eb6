// Two `visionstock serve` instances on one PostgreSQL database: a photo uploaded to A reaches a
// live client of B as scan.created within a second, and both answer the same /api/summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { DARKNET, authHeaders, getJson, startServer, upload } from './helpers/server.mjs';
import { startPostgres } from './helpers/postgres.mjs';

function nextMessage(ws, predicate, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching message within ${ms} ms`)), ms);
    const onMessage = (data) => {
      const msg = JSON.parse(data.toString());
      if (predicate(msg)) { clearTimeout(timer); ws.off('message', onMessage); resolve(msg); }
    };
    ws.on('message', onMessage);
  });
}

test('an upload to one instance reaches the live clients of another', async () => {
  const pg = await startPostgres();
  const db = await pg.freshDatabase();
  const a = await startServer({ db });
  const b = await startServer({ db });
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${b.port}/api/live?after=0`, { headers: authHeaders(b.url) });
    const hello = nextMessage(ws, (m) => m.type === 'hello', 10_000);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    await hello;

    let heardAt = 0;
    const created = nextMessage(ws, (m) => m.type === 'scan.created', 10_000)
      .then((m) => { heardAt = Date.now(); return m; });
    const res = await upload(a.url, readFileSync(join(DARKNET, 'dog.jpg')), { shelf_location: 'multi-1' });
    const answeredAt = Date.now();
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const event = await created;
    // From A's answer (the scan is committed by then) to B's client hearing of it; negative when
    // B's client heard first.
    const latency = heardAt - answeredAt;
    assert.equal(event.payload.scan_id, res.body.scan_id);
    assert.equal(event.payload.shelf_location, 'multi-1');
    assert.ok(latency < 1000, `event ${latency} ms after A answered`);
    console.log(`scan.created reached B's live client ${latency} ms after A answered the upload`);
    ws.close();

    const sa = await getJson(a.url, '/api/summary');
    const sb = await getJson(b.url, '/api/summary');
    assert.equal(sa.status, 200);
    assert.deepEqual(sb.body, sa.body);
    assert.ok(sa.body.total_detections > 0);
    assert.equal((await getJson(b.url, `/api/scans/${res.body.scan_id}`)).status, 200);
  } finally {
    await a.stop();
    await b.stop();
  }
});
