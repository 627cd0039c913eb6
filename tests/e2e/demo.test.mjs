// `visionstock demo`, `demo --remove` and POST/DELETE /api/demo: real photos through the real
// model into the "demo" store; a re-run adds nothing; removal leaves the store as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARKNET, binary, cleanEnv, startServer, storedImages, tempDir, upload, getJson } from './helpers/server.mjs';

function demo(dataDir, ...args) {
  const run = spawnSync(binary(), ['demo', '--json', '--data-dir', dataDir, ...args],
    { env: cleanEnv(), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

const send = (server, method, path, body) => getJson(server.url, path, {
  method, body: body === undefined ? undefined : JSON.stringify(body),
  headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
});

// Everything a user sees of the store, for before/after comparisons.
async function snapshot(server) {
  const out = {};
  for (const path of ['/api/summary', '/api/scans?limit=1000', '/api/products', '/api/planograms',
    '/api/detections?limit=1000', '/api/activity?granularity=day']) {
    const res = await getJson(server.url, path);
    assert.equal(res.status, 200, path);
    out[path] = res.body;
  }
  out.images = storedImages(server.dataDir);
  return out;
}

test('demo loads real detections, a re-run adds nothing, --remove restores the store', async () => {
  const dataDir = tempDir('vs-demo-');
  const server = await startServer({ dataDir });
  try {
    // The user's own data, which the demo must leave alone: a product for a class the demo
    // catalogue also maps, and a scan.
    assert.equal((await send(server, 'POST', '/api/products', { class_name: 'bottle', sku: 'MY-WATER', brand: 'Mine' })).status, 201);
    assert.equal((await upload(server.url, readFileSync(join(DARKNET, 'dog.jpg')), { store: 'main', shelf_location: 'A1' })).status, 200);
    const before = await snapshot(server);

    const loaded = demo(dataDir);
    assert.equal(loaded.store, 'demo');
    assert.deepEqual(loaded.missing, []);
    assert.ok(loaded.scans >= 4, JSON.stringify(loaded));
    assert.ok(loaded.detections > 0, 'the real model found something');
    assert.ok(loaded.products > 0 && loaded.planogram_rows > 0);

    const scans = (await getJson(server.url, '/api/scans?store=demo&limit=100')).body.items;
    assert.equal(scans.length, loaded.scans);
    const dets = (await getJson(server.url, '/api/detections?store=demo&limit=1000')).body.flatMap((g) => g.detections);
    assert.equal(dets.length, loaded.detections);
    const classes = new Set(dets.map((d) => d.class_name));
    assert.ok(['apple', 'orange', 'banana', 'cup', 'bottle', 'bowl'].some((c) => classes.has(c)),
      `retail classes among ${[...classes]}`);
    assert.ok(dets.some((d) => d.sku.startsWith('DEMO-')), 'detections carry demo SKUs');
    const products = (await getJson(server.url, '/api/products')).body;
    assert.equal(products.find((p) => p.class_name === 'bottle').sku, 'MY-WATER', 'an existing product is kept');
    assert.ok(products.filter((p) => p.sku.startsWith('DEMO-')).every((p) => p.brand === 'VisionStock Demo'));
    const plans = (await getJson(server.url, '/api/planograms')).body.filter((p) => p.meta_data.demo === true);
    assert.equal(plans.length, loaded.planogram_rows);
    assert.ok(plans.every((p) => p.planogram_name.startsWith('demo-')));
    for (const s of scans) {
      const photo = await fetch(`${server.url}/api/scans/${s.id}/image`, { headers: { Authorization: `Bearer ${server.token}` } });
      assert.equal(photo.status, 200);
    }

    const again = demo(dataDir);
    assert.equal(again.scans + again.products + again.planogram_rows, 0, JSON.stringify(again));
    assert.equal((await getJson(server.url, '/api/scans?store=demo&limit=100')).body.items.length, loaded.scans);

    const removed = demo(dataDir, '--remove');
    assert.equal(removed.scans, loaded.scans);
    assert.equal(removed.detections, loaded.detections);
    assert.equal(removed.photos, loaded.scans);
    assert.equal(removed.products, loaded.products);
    assert.equal(removed.planogram_rows, loaded.planogram_rows);
    assert.deepEqual(await snapshot(server), before);

    // Nothing left to remove: a second removal changes nothing.
    const none = demo(dataDir, '--remove');
    assert.equal(none.scans + none.products + none.planogram_rows + none.photos, 0);
  } finally {
    await server.stop();
  }
});

test('POST and DELETE /api/demo do the same for the dashboard button', async () => {
  const server = await startServer();
  try {
    const before = await snapshot(server);
    const loaded = await send(server, 'POST', '/api/demo', {});
    assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
    assert.ok(loaded.body.scans > 0 && loaded.body.detections > 0, JSON.stringify(loaded.body));
    const summary = (await getJson(server.url, '/api/summary?store=demo')).body;
    assert.equal(summary.total_detections, loaded.body.detections);
    const again = await send(server, 'POST', '/api/demo', {});
    assert.equal(again.body.scans + again.body.products + again.body.planogram_rows, 0);
    // A form post (no JSON) is refused: the route cannot be triggered cross-site.
    const form = await getJson(server.url, '/api/demo', { method: 'POST', body: 'x=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 415);
    const removed = await send(server, 'DELETE', '/api/demo');
    assert.equal(removed.status, 200);
    assert.equal(removed.body.scans, loaded.body.scans);
    assert.deepEqual(await snapshot(server), before);
    assert.equal((await fetch(`${server.url}/api/demo`, { method: 'POST' })).status, 401);
  } finally {
    await server.stop();
  }
});
