// Planograms, products and model versions: create, read, update, delete over the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARKNET, startServer, upload, getJson, fetch } from './helpers/server.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

const send = (method, path, body) => getJson(server.url, path, {
  method, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' },
});

test('planogram CRUD', async () => {
  const plan = {
    planogram_name: 'summer', sku: 'SKU-1', product_name: 'Cola 330ml', shelf_location: 'A1',
    expected_count: 6, x_position: 0.25, y_position: 0.5, meta_data: { facing: 'front' },
  };
  const created = await send('POST', '/api/planograms', plan);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  for (const [k, v] of Object.entries(plan)) assert.deepEqual(created.body[k], v, k);
  assert.ok(created.body.created_at && created.body.updated_at);

  await send('POST', '/api/planograms', { ...plan, planogram_name: 'winter', sku: 'SKU-2', shelf_location: 'B1' });
  const list = await getJson(server.url, '/api/planograms?planogram_name=summer');
  assert.deepEqual(list.body.map((p) => p.id), [id]);
  assert.equal((await getJson(server.url, '/api/planograms')).body.length, 2);
  assert.equal((await getJson(server.url, '/api/planograms?shelf_location=B1')).body.length, 1);
  assert.equal((await getJson(server.url, '/api/planograms?sku=SKU-1')).body.length, 1);

  const got = await getJson(server.url, `/api/planograms/${id}`);
  assert.equal(got.status, 200);
  assert.equal(got.body.product_name, 'Cola 330ml');

  const updated = await send('PUT', `/api/planograms/${id}`, { ...plan, expected_count: 9, x_position: null });
  assert.equal(updated.status, 200);
  assert.equal(updated.body.expected_count, 9);
  assert.equal(updated.body.x_position, null);
  assert.equal((await getJson(server.url, `/api/planograms/${id}`)).body.expected_count, 9);
  assert.equal((await send('PUT', '/api/planograms/99999', plan)).status, 404);
  assert.equal((await send('PUT', `/api/planograms/${id}`, { ...plan, expected_count: -1 })).status, 422);

  const del = await fetch(`${server.url}/api/planograms/${id}`, { method: 'DELETE' });
  assert.equal(del.status, 204);
  assert.equal((await getJson(server.url, `/api/planograms/${id}`)).status, 404);
  assert.equal((await fetch(`${server.url}/api/planograms/${id}`, { method: 'DELETE' })).status, 404);
});

test('products map a model class to a SKU, and new detections carry it', async () => {
  const created = await send('POST', '/api/products', { class_name: 'dog', sku: 'PET-001', product_name: 'Dog', brand: 'Acme' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.sku, 'PET-001');
  const again = await send('POST', '/api/products', { class_name: 'dog', sku: 'PET-002', product_name: 'Dog v2', brand: 'Acme' });
  assert.equal(again.status, 201);
  assert.equal(again.body.id, created.body.id, 'upsert by class_name');
  const conflict = await send('POST', '/api/products', { class_name: 'cat', sku: 'PET-002' });
  assert.equal(conflict.status, 409);
  assert.equal(conflict.body.error.code, 'conflict');
  assert.equal((await send('POST', '/api/products', { sku: 'X' })).status, 422);
  const list = await getJson(server.url, '/api/products');
  assert.deepEqual(list.body.map((p) => p.class_name), ['dog']);

  const scan = await upload(server.url, readFileSync(join(DARKNET, 'dog.jpg')));
  const dogs = scan.body.detections.filter((d) => d.class_name === 'dog');
  assert.ok(dogs.length > 0);
  for (const d of dogs) assert.equal(d.sku, 'PET-002');
  const bySku = await getJson(server.url, '/api/detections?sku=PET-002');
  assert.equal(bySku.body.flatMap((g) => g.detections).length, dogs.length);
});

test('the loaded model is registered with a measured inference time only', async () => {
  const models = await getJson(server.url, '/api/models');
  assert.equal(models.status, 200);
  const active = models.body.filter((m) => m.is_active);
  assert.equal(active.length, 1);
  const m = active[0];
  assert.match(m.version_name, /^nanodet-416-[0-9a-f]{12}$/);
  assert.equal(m.model_type, 'nanodet');
  assert.equal(m.metrics.length, 1);
  const metric = m.metrics[0];
  assert.ok(metric.inference_time_ms > 0);
  for (const k of ['map50', 'map50_95', 'precision', 'recall', 'f1_score']) assert.equal(metric[k], null, k);
  const health = await getJson(server.url, '/health');
  assert.equal(health.body.status, 'healthy');
  assert.equal(health.body.model.status, 'ready');
  assert.equal(health.body.model.classes, 80);
  assert.equal(health.body.store.status, 'ok');
  assert.equal(health.body.store.backend, server.db ? 'postgresql' : 'sqlite');
});

test('model versions and metrics can be added', async () => {
  const created = await send('POST', '/api/models', {
    version_name: 'shelf-v2', model_type: 'yolov8', model_path: '/models/shelf-v2.onnx', base_model: 'yolov8n',
    training_date: '2026-10-01T00:00:00Z', epochs: 50, dataset_path: '/data/shelves', is_active: false,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.epochs, 50);
  assert.equal(created.body.training_date, '2026-10-01T00:00:00.000Z');
  const metrics = await send('POST', `/api/models/${created.body.id}/metrics`, {
    map50: 0.61, map50_95: 0.42, precision: 0.7, recall: 0.6, f1_score: 0.65, inference_time_ms: 12.5,
    test_dataset_path: '/data/shelves/test', num_test_images: 200,
  });
  assert.equal(metrics.status, 201, JSON.stringify(metrics.body));
  assert.equal(metrics.body.map50, 0.61);
  assert.equal(metrics.body.model_version_id, created.body.id);
  const listed = (await getJson(server.url, '/api/models')).body.find((m) => m.id === created.body.id);
  assert.equal(listed.metrics.length, 1);
  assert.equal((await send('POST', '/api/models/99999/metrics', { map50: 0.1 })).status, 404);
  assert.equal((await send('POST', `/api/models/${created.body.id}/metrics`, { map50: 1.5 })).status, 422);
  assert.equal((await send('POST', '/api/models', { model_type: 'x' })).status, 422);
});
