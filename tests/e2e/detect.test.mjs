// POST /api/detect end to end: a real photo through the real model into the store and back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARKNET, startServer, storedImages, upload, getJson, fetch } from './helpers/server.mjs';

let server;
const dog = readFileSync(join(DARKNET, 'dog.jpg'));

before(async () => { server = await startServer(); });
after(async () => {
  const { code } = await server.stop();
  assert.equal(code, 0, 'clean exit on SIGTERM');
});

test('dog.jpg yields a dog and a bicycle, with the documented answer shape', async () => {
  const res = await upload(server.url, dog, { shelf_location: 'aisle-1', store: 'north' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const b = res.body;
  for (const key of ['scan_id', 'image_path', 'image_url', 'timestamp', 'store', 'shelf_location',
    'width', 'height', 'detections_count', 'model_version', 'model_version_id', 'inference_ms', 'detections']) {
    assert.ok(key in b, `answer has ${key}`);
  }
  assert.equal(b.store, 'north');
  assert.equal(b.shelf_location, 'aisle-1');
  assert.equal(b.width, 768);
  assert.equal(b.height, 576);
  assert.equal(b.detections_count, b.detections.length);
  assert.equal(b.image_url, `/api/scans/${b.scan_id}/image`);
  assert.match(b.image_path, /^images\/\d{4}\/\d{2}\/\d{2}\/[^/]+\.jpg$/);
  assert.ok(b.inference_ms > 0);
  assert.match(b.model_version, /^nanodet-416-[0-9a-f]{12}$/);
  assert.equal(typeof b.model_version_id, 'number');
  const names = b.detections.map((d) => d.class_name);
  assert.ok(names.includes('dog'), `dog in ${names}`);
  assert.ok(names.includes('bicycle'), `bicycle in ${names}`);
  for (const d of b.detections) {
    for (const k of ['id', 'class_name', 'class_id', 'sku', 'confidence', 'x_center', 'y_center', 'width', 'height', 'bbox']) {
      assert.ok(k in d, `detection has ${k}`);
    }
    for (const k of ['confidence', 'x_center', 'y_center', 'width', 'height']) {
      assert.ok(d[k] >= 0 && d[k] <= 1, `${k}=${d[k]} within 0..1`);
    }
    assert.equal(d.sku, d.class_name, 'no catalogue entry: the SKU is the class name');
    const [x1, y1, x2, y2] = d.bbox;
    assert.ok(x1 >= 0 && y1 >= 0 && x2 <= 768 + 1e-6 && y2 <= 576 + 1e-6 && x1 < x2 && y1 < y2);
    assert.ok(Math.abs((x1 + x2) / 2 / 768 - d.x_center) < 1e-6);
    assert.ok(Math.abs((y2 - y1) / 576 - d.height) < 1e-6);
  }
  const dogBox = b.detections.find((d) => d.class_name === 'dog');
  assert.ok(dogBox.x_center < 0.5 && dogBox.y_center > 0.5, 'the dog sits bottom left');
});

test('the stored photo comes back without its metadata, with its real type', async () => {
  const res = await upload(server.url, dog);
  const img = await fetch(server.url + res.body.image_url);
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/jpeg');
  const stored = Buffer.from(await img.arrayBuffer());
  assert.notEqual(dog.indexOf('Exif'), -1, 'the upload has EXIF');
  assert.equal(stored.indexOf('Exif'), -1, 'the stored copy has none');
  assert.equal(stored.indexOf('http://ns.adobe.com/xap/'), -1, 'no XMP');
  const scan = (b) => b.subarray(b.indexOf(Buffer.from([0xff, 0xda])));
  assert.deepEqual(scan(stored), scan(dog), 'the image data is untouched');
  const etag = img.headers.get('etag');
  const again = await fetch(server.url + res.body.image_url, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.ok(storedImages(server.dataDir).includes(res.body.image_path.slice('images/'.length)));
});

test('defaults, query-string fields and a raw image body', async () => {
  const res = await upload(server.url, dog);
  assert.equal(res.body.store, 'default');
  assert.equal(res.body.shelf_location, 'unassigned');
  assert.ok(Math.abs(Date.parse(res.body.timestamp) - Date.now()) < 120_000, 'captured_at = received time');

  const q = await upload(server.url, dog, {}, { query: '?shelf_location=B2&model_type=yolov8n&captured_at=2026-03-01T08:30:00Z' });
  assert.equal(q.status, 200);
  assert.equal(q.body.shelf_location, 'B2');
  assert.equal(q.body.timestamp, '2026-03-01T08:30:00.000Z');

  const png = readFileSync('/usr/share/doc/opencv-doc/examples/data/box.png');
  const raw = await fetch(`${server.url}/api/detect?store=raw-store`, {
    method: 'POST', body: png, headers: { 'Content-Type': 'application/octet-stream' },
  });
  assert.equal(raw.status, 200);
  const body = await raw.json();
  assert.equal(body.store, 'raw-store');
  assert.match(body.image_path, /\.png$/, 'extension by content');
  const scan = await getJson(server.url, `/api/scans/${body.scan_id}`);
  assert.equal(scan.status, 200);
  assert.equal(scan.body.detections.length, body.detections_count);
  assert.equal(scan.body.width, body.width);
});

test('GET /api/scans/{id} returns the detections with pixel boxes', async () => {
  const res = await upload(server.url, dog, { shelf_location: 'scan-view' });
  const scan = await getJson(server.url, `/api/scans/${res.body.scan_id}`);
  assert.equal(scan.status, 200);
  assert.equal(scan.body.id, res.body.scan_id);
  assert.equal(scan.body.detections.length, res.body.detections.length);
  const byId = new Map(res.body.detections.map((d) => [d.id, d]));
  for (const d of scan.body.detections) {
    assert.deepEqual(d.bbox, byId.get(d.id).bbox);
    assert.equal(d.scan_id, res.body.scan_id);
  }
  assert.equal((await getJson(server.url, '/api/scans/999999')).status, 404);
  assert.equal((await getJson(server.url, '/api/scans/abc')).status, 404);
});
