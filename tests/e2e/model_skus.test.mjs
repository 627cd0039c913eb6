// A model's own class->SKU map through the real server: set at registration and changed with
// PATCH /api/models/{id}/settings, shown in the model's JSON, applied to the detections of that
// model only (over the product catalogue), and bad settings refused without any change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DARKNET, binary, fetch, getJson, startServer, upload } from './helpers/server.mjs';

const MODEL = () => join(dirname(binary()), 'models', 'nanodet-416.onnx');
const DOG = () => readFileSync(join(DARKNET, 'dog.jpg'));

async function send(url, method, path, body) {
  const res = await fetch(url + path, {
    method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const skusOf = (scan, cls) => scan.body.detections.filter((d) => d.class_name === cls).map((d) => d.sku);

test('class_skus: registered, shown, patched, applied per model over the catalogue', async () => {
  const server = await startServer();
  try {
    const { url } = server;
    assert.equal((await send(url, 'POST', '/api/products', { class_name: 'dog', sku: 'CAT-DOG' })).status, 201);
    const mapped = await send(url, 'POST', '/api/models', {
      model_path: MODEL(), version_name: 'mapped',
      settings: { class_skus: { dog: 'MODEL-DOG', bicycle: 'MODEL-BIKE' } },
    });
    assert.equal(mapped.status, 201, JSON.stringify(mapped.body));
    assert.deepEqual(mapped.body.serving.settings.class_skus, { bicycle: 'MODEL-BIKE', dog: 'MODEL-DOG' });
    assert.equal(mapped.body.serving.settings.slicing.max_tiles, 16);

    // The active (start-up) model has no map: the catalogue's SKU, else the class name.
    const plain = await upload(url, DOG());
    assert.equal(plain.status, 200, JSON.stringify(plain.body));
    assert.ok(skusOf(plain, 'dog').length > 0 && skusOf(plain, 'bicycle').length > 0);
    assert.ok(skusOf(plain, 'dog').every((s) => s === 'CAT-DOG'));
    assert.ok(skusOf(plain, 'bicycle').every((s) => s === 'bicycle'));
    // The mapped model, asked for by name: its map wins.
    const viaMap = await upload(url, DOG(), {}, { query: '?model=mapped' });
    assert.equal(viaMap.status, 200, JSON.stringify(viaMap.body));
    assert.ok(skusOf(viaMap, 'dog').every((s) => s === 'MODEL-DOG'));
    assert.ok(skusOf(viaMap, 'bicycle').every((s) => s === 'MODEL-BIKE'));
    const stored = await getJson(url, '/api/detections?sku=MODEL-DOG');
    assert.equal(stored.body.flatMap((g) => g.detections).length, skusOf(viaMap, 'dog').length);

    // Bad settings change nothing.
    const id = mapped.body.id;
    for (const bad of [{ class_skus: { unicorn: 'X' } }, { class_skus: { dog: '' } }, { class_skus: ['dog'] },
      { slicing: { max_tiles: 0 } }]) {
      const r = await send(url, 'PATCH', `/api/models/${id}/settings`, bad);
      assert.equal(r.status, 422, JSON.stringify(bad));
      assert.ok(r.body.error, 'the one error shape');
    }
    assert.equal((await send(url, 'PATCH', '/api/models/9999/settings', { iou: 0.5 })).status, 404);
    const still = await getJson(url, `/api/models/${id}`);
    assert.deepEqual(still.body.serving.settings.class_skus, { bicycle: 'MODEL-BIKE', dog: 'MODEL-DOG' });

    // A patch replaces the map (and only the fields it names) and serves at once.
    const patched = await send(url, 'PATCH', `/api/models/${id}/settings`, { class_skus: { dog: 'MODEL-DOG-2' } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.serving.settings.class_skus, { dog: 'MODEL-DOG-2' });
    assert.equal(patched.body.serving.settings.confidence, still.body.serving.settings.confidence);
    const after = await upload(url, DOG(), {}, { query: '?model=mapped' });
    assert.ok(skusOf(after, 'dog').every((s) => s === 'MODEL-DOG-2'));
    assert.ok(skusOf(after, 'bicycle').every((s) => s === 'bicycle'), 'no longer mapped, no catalogue entry');
  } finally {
    await server.stop();
  }
});
