// Reading stored detections back: filters, pagination, CSV, summary, activity, conditional GET.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARKNET, OPENCV, startServer, upload, getJson, fetch } from './helpers/server.mjs';

let server;
const uploads = [];  // answers of POST /api/detect

// Several real photos across stores, shelves and days.
const PLAN = [
  [join(DARKNET, 'dog.jpg'), 'north', 'A1', '2026-01-05T09:00:00Z'],
  [join(DARKNET, 'person.jpg'), 'north', 'A2', '2026-01-05T15:30:00Z'],
  [join(DARKNET, 'horses.jpg'), 'south', 'A1', '2026-01-06T10:00:00Z'],
  [join(DARKNET, 'kite.jpg'), 'south', 'B1', '2026-01-07T11:00:00Z'],
  [join(DARKNET, 'giraffe.jpg'), 'north', 'B1', '2026-01-07T12:00:00Z'],
  [join(OPENCV, 'fruits.jpg'), 'south', 'C3', '2026-01-08T08:00:00Z'],
  [join(DARKNET, 'dog.jpg'), 'south', 'A1', '2026-01-08T09:00:00Z'],
];

before(async () => {
  server = await startServer();
  for (const [file, store, shelf, at] of PLAN) {
    const res = await upload(server.url, readFileSync(file), { store, shelf_location: shelf, captured_at: at });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    uploads.push(res.body);
  }
});
after(async () => { await server.stop(); });

const allDetections = () => uploads.flatMap((u) => u.detections.map((d) => ({ ...d, scan: u })));

// Follows X-Next-Cursor to the end; returns the flattened detections and the page count.
async function everyPage(query, limit) {
  const seen = [];
  let pages = 0;
  let path = `/api/detections?${query}${query ? '&' : ''}limit=${limit}`;
  for (;;) {
    const res = await getJson(server.url, path);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    pages++;
    for (const group of res.body) {
      assert.equal(group.detections_count, group.detections.length);
      for (const d of group.detections) seen.push({ ...d, scan_id: group.scan_id, timestamp: group.timestamp });
    }
    const cursor = res.headers.get('x-next-cursor');
    if (!cursor) { assert.equal(res.headers.get('link'), null); break; }
    assert.match(res.headers.get('link'), /^<\/api\/detections\?.*cursor=.*>; rel="next"$/);
    const sum = res.body.reduce((n, g) => n + g.detections.length, 0);
    assert.equal(sum, limit, 'a full page before the last');
    path = res.headers.get('link').slice(1, res.headers.get('link').indexOf('>'));
    assert.ok(pages < 1000);
  }
  return { seen, pages };
}

test('pagination is complete, newest first and without duplicates', async () => {
  const total = allDetections().length;
  assert.ok(total >= 10, `enough detections for paging (${total})`);
  const { seen, pages } = await everyPage('', 3);
  assert.equal(seen.length, total);
  assert.equal(new Set(seen.map((d) => d.id)).size, total, 'no duplicates');
  assert.ok(pages >= Math.ceil(total / 3));
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i - 1].timestamp >= seen[i].timestamp, 'newest first');
  }
  const ids = new Set(allDetections().map((d) => d.id));
  for (const d of seen) assert.ok(ids.has(d.id));
});

test('every filter selects exactly the matching detections', async () => {
  const all = allDetections();
  const cases = [
    ['store=north', (d) => d.scan.store === 'north'],
    ['shelf_location=A1', (d) => d.scan.shelf_location === 'A1'],
    ['class_name=dog', (d) => d.class_name === 'dog'],
    ['sku=bicycle', (d) => d.sku === 'bicycle'],
    ['min_confidence=0.5', (d) => d.confidence >= 0.5],
    ['start=2026-01-06', (d) => d.scan.timestamp >= '2026-01-06'],
    ['end=2026-01-07T11:00:00Z', (d) => d.scan.timestamp < '2026-01-07T11:00:00.000Z'],
    ['start=2026-01-05T12:00:00Z&end=2026-01-08', (d) => d.scan.timestamp >= '2026-01-05T12:00:00.000Z' && d.scan.timestamp < '2026-01-08'],
    ['store=south&shelf_location=A1&class_name=dog', (d) => d.scan.store === 'south' && d.scan.shelf_location === 'A1' && d.class_name === 'dog'],
  ];
  for (const [query, pred] of cases) {
    const expected = all.filter(pred).map((d) => d.id).sort((a, b) => a - b);
    const { seen } = await everyPage(query, 1000);
    assert.deepEqual(seen.map((d) => d.id).sort((a, b) => a - b), expected, query);
    if (query === 'store=north') assert.ok(expected.length > 0 && expected.length < all.length);
  }
});

test('CSV holds exactly the JSON rows, all pages, limit ignored', async () => {
  for (const query of ['', 'store=south', 'class_name=dog&min_confidence=0.3']) {
    const res = await fetch(`${server.url}/api/detections?${query}&format=csv&limit=1`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/csv/);
    assert.match(res.headers.get('content-disposition'), /^attachment/);
    const lines = (await res.text()).trim().split('\r\n');
    assert.equal(lines[0], 'id,scan_id,timestamp,store,shelf_location,sku,class_name,class_id,confidence,x_center,y_center,width,height,image_path');
    const { seen } = await everyPage(query, 1000);
    assert.equal(lines.length - 1, seen.length, query);
    const byId = new Map(seen.map((d) => [d.id, d]));
    for (const line of lines.slice(1)) {
      const c = line.split(',');
      const d = byId.get(Number(c[0]));
      assert.ok(d, `row ${c[0]} is in the JSON answer`);
      assert.equal(Number(c[1]), d.scan_id);
      assert.equal(c[2], d.timestamp);
      assert.equal(c[3], d.store);
      assert.equal(c[4], d.shelf_location);
      assert.equal(c[5], d.sku);
      assert.equal(c[6], d.class_name);
      assert.equal(Number(c[7]), d.class_id);
      assert.equal(Number(c[8]), d.confidence);
      assert.equal(Number(c[9]), d.x_center);
      assert.equal(Number(c[10]), d.y_center);
      assert.equal(Number(c[11]), d.width);
      assert.equal(Number(c[12]), d.height);
    }
  }
});

test('summary figures agree with the detections under the same filters', async () => {
  for (const query of ['', 'store=north', 'shelf_location=A1', 'class_name=dog', 'min_confidence=0.4',
    'start=2026-01-07', 'store=south&end=2026-01-08', 'store=nowhere']) {
    const s = await getJson(server.url, `/api/summary?${query}`);
    assert.equal(s.status, 200);
    const { seen } = await everyPage(query, 1000);
    assert.equal(s.body.total_detections, seen.length, query);
    assert.equal(s.body.unique_skus, new Set(seen.map((d) => d.sku)).size, query);
    assert.equal(s.body.unique_classes, new Set(seen.map((d) => d.class_name)).size, query);
    assert.equal(s.body.total_scans, new Set(seen.map((d) => d.scan_id)).size, query);
    if (seen.length === 0) {
      assert.equal(s.body.average_confidence, null);
      assert.equal(s.body.last_detection_at, null);
    } else {
      const avg = seen.reduce((n, d) => n + d.confidence, 0) / seen.length;
      assert.ok(Math.abs(s.body.average_confidence - avg) < 1e-9, query);
      assert.equal(s.body.last_detection_at, seen.map((d) => d.timestamp).sort().at(-1));
    }
  }
});

test('activity buckets add up, oldest first', async () => {
  for (const granularity of ['day', 'hour']) {
    const a = await getJson(server.url, `/api/activity?granularity=${granularity}&store=north`);
    assert.equal(a.status, 200);
    const { seen } = await everyPage('store=north', 1000);
    assert.equal(a.body.reduce((n, b) => n + b.detections, 0), seen.length);
    for (let i = 1; i < a.body.length; i++) assert.ok(a.body[i - 1].start < a.body[i].start);
    for (const b of a.body) assert.ok(b.detections > 0 && b.scans > 0);
  }
  assert.equal((await getJson(server.url, '/api/activity?granularity=week')).status, 422);
});

test('filters list the values present', async () => {
  const f = await getJson(server.url, '/api/filters');
  assert.equal(f.status, 200);
  assert.deepEqual([...f.body.stores].sort(), ['north', 'south']);
  assert.deepEqual([...f.body.shelf_locations].sort(), ['A1', 'A2', 'B1', 'C3']);
  assert.ok(f.body.class_names.includes('dog'));
  assert.ok(f.body.skus.includes('bicycle'));
});

test('scans list pages through every scan', async () => {
  const ids = [];
  let path = '/api/scans?limit=2';
  for (;;) {
    const res = await getJson(server.url, path);
    assert.equal(res.status, 200);
    ids.push(...res.body.items.map((s) => s.id));
    if (res.body.next_cursor === null) break;
    path = `/api/scans?limit=2&cursor=${encodeURIComponent(res.body.next_cursor)}`;
  }
  assert.deepEqual([...ids].sort((a, b) => a - b), uploads.map((u) => u.scan_id).sort((a, b) => a - b));
  const north = await getJson(server.url, '/api/scans?store=north');
  assert.equal(north.body.items.length, PLAN.filter((p) => p[1] === 'north').length);
});

test('conditional GET: 304 until the data changes', async () => {
  const first = await fetch(`${server.url}/api/summary?store=north`);
  const etag = first.headers.get('etag');
  assert.ok(etag);
  assert.equal(first.headers.get('cache-control'), 'no-cache');
  const same = await fetch(`${server.url}/api/summary?store=north`, { headers: { 'If-None-Match': etag } });
  assert.equal(same.status, 304);
  assert.equal(await same.text(), '');
  const other = await fetch(`${server.url}/api/summary?store=south`, { headers: { 'If-None-Match': etag } });
  assert.equal(other.status, 200, 'the tag belongs to its target');
  await upload(server.url, readFileSync(join(DARKNET, 'eagle.jpg')), { store: 'east' });
  const changed = await fetch(`${server.url}/api/summary?store=north`, { headers: { 'If-None-Match': etag } });
  assert.equal(changed.status, 200, 'new data, new tag');
  assert.notEqual(changed.headers.get('etag'), etag);
});
