// Planogram compliance end to end: import a planogram (a bad file first), upload a real photo of
// that shelf through the bundled model, and read what the engine computed through every
// compliance route, the earlier clients' /api/analyze and /api/discrepancies included; an alert
// opens, is acknowledged, and resolves on a later scan.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DARKNET, binary, cleanEnv, startServer, tempDir, upload, getJson, fetch } from './helpers/server.mjs';
import { startPostgres } from './helpers/postgres.mjs';

// VS_E2E_BACKEND=postgres runs every test on fresh databases of the test's own PostgreSQL.
const onPostgres = process.env.VS_E2E_BACKEND === 'postgres';
const dbArgs = async () => (onPostgres ? ['--db', await (await startPostgres()).freshDatabase()] : []);

let server;
before(async () => { server = await startServer({ args: await dbArgs() }); });
after(async () => {
  await server.stop();
  if (onPostgres) (await startPostgres()).stop(); // lets this process end
});

const sendFile = (path, body, type = 'text/csv') => getJson(server.url, path, {
  method: 'POST', body, headers: { 'Content-Type': type },
});
const post = (path, body) => getJson(server.url, path, {
  method: 'POST', body: JSON.stringify(body ?? {}), headers: { 'Content-Type': 'application/json' },
});

// Polls `path` until `ready(body)` holds (analysis runs off the request path).
async function waitFor(path, ready) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await getJson(server.url, path);
    if (res.status === 200 && ready(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const CATALOGUE = 'class_name,sku,product_name,brand\r\ndog,DOG-1,Dog food,Acme\r\nbicycle,BIKE-1,Bicycle,Velo\r\n';
const PLAN_V1 = [
  'planogram_name,store,shelf_location,sku,product_name,expected_count',
  'yard,default,S1,DOG-1,Dog food,1',
  'yard,default,S1,BIKE-1,Bicycle,1',
  'yard,default,S1,CAT-1,Cat food,2',
  '',
].join('\r\n');

test('compliance: import, analysis, KPIs, actions, alerts and the earlier routes', async () => {
  // A file with bad rows is refused whole, every bad line listed.
  const bad = [
    'planogram_name,shelf_location,sku,expected_count,x_position,colour',
    'yard,S1,DOG-1,-2,0.5,red',
    'yard,S1,BIKE-1,1,abc,red',
    'yard,S1,CAT-1,1,0.5,red',
    'yard,S1,,1,0.5,red',
    '',
  ].join('\n');
  const refused = await sendFile('/api/planograms/import', bad);
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.equal(refused.body.error.code, 'invalid_value');
  const reasons = refused.body.error.rows.map((r) => `${r.line}: ${r.reason}`);
  assert.ok(reasons.some((r) => /^1: unknown column 'colour'/.test(r)), reasons.join('\n'));
  assert.ok(reasons.some((r) => /^2: negative expected_count/.test(r)), reasons.join('\n'));
  assert.ok(reasons.some((r) => /^3: bad number in 'x_position'/.test(r)), reasons.join('\n'));
  assert.ok(reasons.some((r) => /^5: missing field 'sku'/.test(r)), reasons.join('\n'));
  const dup = await sendFile('/api/planograms/import',
    'planogram_name,shelf_location,sku,expected_count,slot_x1,slot_y1,slot_x2,slot_y2\n' +
    'yard,S1,DOG-1,1,0,0,0.5,1\nyard,S1,BIKE-1,1,0,0,0.5,1\n');
  assert.equal(dup.status, 422);
  assert.match(dup.body.error.rows[0].reason, /duplicate slot: same as row 1/);
  assert.equal(dup.body.error.rows[0].line, 3);
  assert.deepEqual((await getJson(server.url, '/api/planograms')).body, [], 'nothing imported');

  const cat = await sendFile('/api/products/import', CATALOGUE);
  assert.equal(cat.status, 200, JSON.stringify(cat.body));
  const good = await sendFile('/api/planograms/import', PLAN_V1);
  assert.equal(good.status, 200, JSON.stringify(good.body));
  assert.equal(good.body.rows, 3);
  assert.equal(good.body.versions.yard, 1);
  const exported = await fetch(`${server.url}/api/planograms/export?format=csv`);
  assert.equal(exported.status, 200);
  assert.match(await exported.text(), /yard,default,S1,CAT-1,Cat food,2/);
  const page = await getJson(server.url, '/api/planograms?limit=2');
  assert.equal(page.body.length, 2);
  assert.ok(page.headers.get('x-next-cursor'));

  // A real photo of the shelf through the bundled model.
  const scan = await upload(server.url, readFileSync(join(DARKNET, 'dog.jpg')), { shelf_location: 'S1' });
  assert.equal(scan.status, 200, JSON.stringify(scan.body));
  const dogs = scan.body.detections.filter((d) => d.class_name === 'dog' && d.confidence >= 0.25).length;
  const bikes = scan.body.detections.filter((d) => d.class_name === 'bicycle' && d.confidence >= 0.25).length;
  assert.ok(dogs >= 1 && bikes >= 1, 'the model sees the dog and the bicycle');

  const latest = await waitFor('/api/compliance?store=default&detail=true', (b) => b.items.length === 1);
  const result = latest.items[0];
  assert.equal(result.shelf_location, 'S1');
  assert.equal(result.planogram_name, 'yard');
  assert.equal(result.planogram_version, 1);
  const bySku = Object.fromEntries(result.detail.skus.map((s) => [s.sku, s]));
  assert.equal(bySku['CAT-1'].status, 'OUT_OF_STOCK');
  assert.equal(bySku['CAT-1'].detected, 0);
  assert.equal(bySku['DOG-1'].detected, dogs);
  assert.equal(bySku['BIKE-1'].detected, bikes);
  assert.equal(bySku['DOG-1'].status, dogs === 1 ? 'OK' : 'OVERSTOCK');
  // 3 stocked SKUs, 2 present: OSA 2/3, out-of-stock rate 1/3.
  assert.equal(result.kpis.stocked_skus, 3);
  assert.equal(result.kpis.present_skus, 2);
  assert.ok(Math.abs(result.kpis.availability - 2 / 3) < 1e-9);
  assert.deepEqual(latest.kpis.availability, result.kpis.availability);

  const actions = await getJson(server.url, '/api/actions?store=default');
  assert.equal(actions.status, 200);
  const oos = actions.body.find((a) => a.type === 'OUT_OF_STOCK');
  assert.equal(oos.sku, 'CAT-1');
  assert.equal(oos.facings, 2);
  for (let i = 1; i < actions.body.length; i++) assert.ok(actions.body[i - 1].facings >= actions.body[i].facings);

  const history = await getJson(server.url, '/api/compliance/history?store=default&bucket=day');
  assert.equal(history.status, 200);
  assert.equal(history.body.length, 1);
  assert.equal(history.body[0].results, 1);
  assert.equal((await getJson(server.url, '/api/compliance/history?bucket=week')).status, 422);

  // The alert of the out-of-stock SKU opens once (default: after one scan).
  const open = await getJson(server.url, '/api/alerts?status=open&type=OUT_OF_STOCK');
  assert.equal(open.status, 200);
  assert.equal(open.body.length, 1, JSON.stringify(open.body));
  const alert = open.body[0];
  assert.equal(alert.sku, 'CAT-1');
  assert.equal(alert.shelf_location, 'S1');

  // The earlier clients: analyse on demand by image path, then list discrepancies.
  const analysed = await getJson(server.url,
    `/api/analyze?planogram_name=yard&image_path=${encodeURIComponent(scan.body.image_path)}&shelf_location=S1`,
    { method: 'POST' });
  assert.equal(analysed.status, 200, JSON.stringify(analysed.body));
  assert.equal(analysed.body.planogram_name, 'yard');
  const missing = analysed.body.discrepancies.filter((d) => d.discrepancy_type === 'missing');
  assert.deepEqual(missing.map((d) => [d.sku, d.expected_count, d.detected_count]), [['CAT-1', 2, 0]]);
  const listed = await getJson(server.url, '/api/discrepancies?planogram_name=yard&discrepancy_type=missing');
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.map((d) => d.sku), ['CAT-1']);
  // Analysing the same photo again raised no second alert.
  assert.equal((await getJson(server.url, '/api/alerts?type=OUT_OF_STOCK')).body.length, 1);

  const acked = await post(`/api/alerts/${alert.id}/ack`, { note: 'restocking' });
  assert.equal(acked.status, 200, JSON.stringify(acked.body));
  assert.equal(acked.body.status, 'acknowledged');
  assert.equal(acked.body.note, 'restocking');
  assert.ok(acked.body.acknowledged_by.length > 0);
  assert.equal((await post(`/api/alerts/${alert.id}/ack`, {})).status, 409);

  // Version 2 plans no cat food: the next scan resolves the alert.
  const v2 = await sendFile('/api/planograms/import', PLAN_V1.replace('yard,default,S1,CAT-1,Cat food,2\r\n', ''));
  assert.equal(v2.body.versions.yard, 2);
  const again = await upload(server.url, readFileSync(join(DARKNET, 'dog.jpg')), { shelf_location: 'S1' });
  assert.equal(again.status, 200);
  const resolved = await waitFor(`/api/alerts/${alert.id}`, (a) => a.status === 'resolved');
  assert.ok(resolved.resolved_at);
  assert.ok(resolved.duration_seconds >= 0);
  const now = await waitFor('/api/compliance', (b) => b.items.length === 1 && b.items[0].planogram_version === 2);
  assert.equal(now.items[0].kpis.stocked_skus, 2);
  // The first version stays readable.
  const v1 = await getJson(server.url, '/api/planograms/versions?planogram_name=yard&version=1');
  assert.equal(v1.status, 200);
  assert.deepEqual(v1.body.rows.map((r) => r.sku).sort(), ['BIKE-1', 'CAT-1', 'DOG-1']);
  assert.equal(v1.body.current_version, 2);
});

test('compliance routes refuse bad input', async () => {
  assert.equal((await getJson(server.url, '/api/alerts?status=closed')).status, 422);
  assert.equal((await getJson(server.url, '/api/compliance?format=xml')).status, 422);
  assert.equal((await post('/api/alerts/999999/ack', {})).status, 404);
  assert.equal((await getJson(server.url, '/api/analyze', { method: 'POST' })).status, 422);
  assert.equal((await sendFile('/api/planograms/import', 'a,b\n', 'text/plain')).status, 415);
  assert.equal((await sendFile('/api/planograms/import', '[{"planogram_name": "x"}]', 'application/json')).status, 422);
});

test('visionstock planogram import refuses a bad file whole, imports a good one, exports it back', async () => {
  const dataDir = tempDir('vs-planogram-');
  const db = await dbArgs();
  try {
    const run = (...args) => spawnSync(binary(), ['planogram', ...args, '--data-dir', dataDir, ...db],
      { env: cleanEnv(), encoding: 'utf8' });
    const bad = join(dataDir, 'bad.csv');
    writeFileSync(bad, 'planogram_name,sku,expected_count\nyard,A,1\nyard,B,-3\nyard,,2\n');
    const refused = run('import', bad);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /line 3: negative expected_count/);
    assert.match(refused.stderr, /line 4: missing field 'sku'/);
    assert.equal(run('export').stdout.trim().split('\n').length, 1, 'nothing imported: the header only');

    const good = join(dataDir, 'good.csv');
    writeFileSync(good, PLAN_V1);
    const imported = run('import', good);
    assert.equal(imported.status, 0, imported.stderr);
    assert.match(imported.stdout, /imported 3 planogram rows/);
    assert.match(imported.stdout, /yard: version 1/);
    const exported = run('export', '--format', 'json');
    assert.equal(exported.status, 0, exported.stderr);
    const rows = JSON.parse(exported.stdout).planograms;
    assert.deepEqual(rows.map((r) => r.sku).sort(), ['BIKE-1', 'CAT-1', 'DOG-1']);
    const products = join(dataDir, 'products.csv');
    writeFileSync(products, CATALOGUE);
    assert.equal(run('import', products, '--what', 'products').status, 0);
    assert.match(run('export', '--what', 'products').stdout, /bicycle,BIKE-1,Bicycle,Velo/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
