// Detection Records: the table, its pages and the CSV export agree with the API for the same
// filters; the scan view draws one box per detection and the threshold slider hides boxes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { PHOTOS, api, getJson, launchBrowser, screenshot, startServer, uploadPhoto } from './harness.mjs';

let server, browser, page;
const uploads = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  for (const [photo, store, shelf] of [
    ['dog.jpg', 'north', 'aisle-1'],
    ['horses.jpg', 'south', 'aisle-2'],
    ['person.jpg', 'north', 'aisle-2'],
    ['kite.jpg', 'south', 'aisle-1'],
  ]) {
    uploads.push(await uploadPhoto(server.base, path.join(PHOTOS, photo), { store, shelf_location: shelf }));
  }
  page = await browser.newPage();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const qs = (f) => new URLSearchParams(Object.entries(f).filter(([, v]) => v !== '' && v !== undefined)).toString();

// Every detection id the API returns for `filters`, newest first, following X-Next-Cursor.
async function apiIds(filters) {
  const ids = [];
  let cursor = '';
  for (;;) {
    const res = await api(server.base, '/api/detections?' + qs({ ...filters, limit: 1000, cursor }));
    for (const g of await res.json()) for (const d of g.detections) ids.push(d.id);
    cursor = res.headers.get('x-next-cursor');
    if (!cursor) return ids;
  }
}

async function tableIds() {
  await page.locator('[data-testid="last-updated"] time').waitFor();
  return page.$$eval('[data-testid="records-table"] tbody tr', (rows) => rows.map((r) => Number(r.dataset.detectionId)));
}

// Waits until the table settles on `want` (ids in order).
async function expectTable(want, what) {
  try {
    await page.waitForFunction(
      (w) => {
        const ids = [...document.querySelectorAll('[data-testid="records-table"] tbody tr')].map((r) => Number(r.dataset.detectionId));
        return JSON.stringify(ids) === JSON.stringify(w);
      },
      want,
      { timeout: 10_000 },
    );
  } catch {
    assert.deepEqual(await tableIds(), want, what);
  }
}

async function csvIds() {
  const href = await page.getByTestId('csv-export').getAttribute('href');
  const res = await api(server.base, href);
  assert.match(res.headers.get('content-type'), /text\/csv/);
  const lines = (await res.text()).trim().split(/\r?\n/);
  assert.equal(lines[0], 'id,scan_id,timestamp,store,shelf_location,sku,class_name,class_id,confidence,x_center,y_center,width,height,image_path');
  return lines.slice(1).map((l) => Number(l.split(',')[0]));
}

test('unfiltered table and CSV hold every detection, newest first', { timeout: 60_000 }, async () => {
  const all = await apiIds({});
  const total = uploads.reduce((n, u) => n + u.detections_count, 0);
  assert.equal(all.length, total);
  assert.ok(total > 0 && total <= 50, `the photos should give 1..50 detections, got ${total}`);
  await page.goto(`${server.base}/#/records`);
  await expectTable(all, 'unfiltered table');
  assert.deepEqual(await csvIds(), all);
  const summary = await getJson(server.base, '/api/summary');
  assert.match(await page.getByTestId('match-summary').innerText(), new RegExp(`^${summary.total_detections} matching detections in ${summary.total_scans} scans`));
  await screenshot(page, 'records');
});

test('filter pickers select what the API selects, and the CSV link exports exactly that', { timeout: 90_000 }, async () => {
  const options = await getJson(server.base, '/api/filters');
  assert.deepEqual([...options.stores].sort(), ['north', 'south']);
  await page.goto(`${server.base}/#/records`);
  await page.waitForFunction(() => [...document.querySelector('#f-store').options].some((o) => o.value === 'north'));

  await page.locator('#f-store').selectOption('north');
  await page.locator('#f-shelf').selectOption('aisle-2');
  let want = await apiIds({ store: 'north', shelf_location: 'aisle-2' });
  assert.ok(want.length > 0);
  await expectTable(want, 'store + shelf');
  assert.deepEqual(await csvIds(), want, 'CSV for store + shelf');

  // The class picker offers the API's classes; pick the most common one overall.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  const counts = {};
  for (const u of uploads) for (const d of u.detections) counts[d.class_name] = (counts[d.class_name] || 0) + 1;
  const cls = Object.entries(counts).sort((a, b) => b[1] - a[1])[0][0];
  assert.ok(options.class_names.includes(cls));
  await page.locator('#f-class').selectOption(cls);
  want = await apiIds({ class_name: cls });
  assert.equal(want.length, counts[cls]);
  await expectTable(want, `class ${cls}`);
  assert.deepEqual(await csvIds(), want, `CSV for class ${cls}`);

  // SKU picker (SKUs are the class names unless the catalogue maps them).
  await page.getByRole('button', { name: 'Clear filters' }).click();
  const sku = options.skus[0];
  await page.locator('#f-sku').selectOption(sku);
  want = await apiIds({ sku });
  await expectTable(want, `sku ${sku}`);
  assert.deepEqual(await csvIds(), want, `CSV for sku ${sku}`);

  // Minimum confidence and a time range, as the URL carries them.
  const confs = uploads.flatMap((u) => u.detections.map((d) => d.confidence)).sort((a, b) => a - b);
  const mid = Math.round(confs[Math.floor(confs.length / 2)] * 20) / 20;
  const start = new Date(Date.now() - 3600_000).toISOString();
  await page.goto(`${server.base}/#/records?min_confidence=${mid}&start=${encodeURIComponent(start)}`);
  want = await apiIds({ min_confidence: mid, start });
  assert.equal(want.length, confs.filter((c) => c >= mid).length);
  await expectTable(want, `min_confidence ${mid}`);
  assert.deepEqual(await csvIds(), want, `CSV for min_confidence ${mid}`);
  const future = new Date(Date.now() + 3600_000).toISOString();
  await page.goto(`${server.base}/#/records?start=${encodeURIComponent(future)}`);
  await page.getByText('No detections match these filters').waitFor();
  assert.deepEqual(await csvIds(), []);
});

test('pages follow the API cursor', { timeout: 60_000 }, async () => {
  await page.goto(`${server.base}/#/records?limit=10`);
  const res = await api(server.base, '/api/detections?limit=10');
  const first = (await res.json()).flatMap((g) => g.detections.map((d) => d.id));
  await expectTable(first, 'page 1');
  const cursor = res.headers.get('x-next-cursor');
  const older = page.getByRole('button', { name: 'Older' });
  if (!cursor) {
    assert.equal(await older.isDisabled(), true);
    return;
  }
  await older.click();
  const second = (await getJson(server.base, '/api/detections?' + qs({ limit: 10, cursor }))).flatMap((g) => g.detections.map((d) => d.id));
  await expectTable(second, 'page 2');
  await page.getByRole('button', { name: 'Newer' }).click();
  await expectTable(first, 'back to page 1');
});

test('scan view draws one labelled box per detection; the threshold hides lower ones', { timeout: 60_000 }, async () => {
  const richest = [...uploads].sort((a, b) => b.detections_count - a.detections_count)[0];
  const scan = await getJson(server.base, `/api/scans/${richest.scan_id}`);
  assert.equal(scan.detections.length, scan.detections_count);
  await page.goto(`${server.base}/#/scans/${scan.id}`);
  const rects = page.locator('[data-testid="scan-view"] rect[data-box]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="scan-view"] rect[data-box]').length === n, scan.detections.length, { timeout: 10_000 });
  const drawn = await rects.evaluateAll((els) => els.map((e) => Number(e.dataset.detectionId)).sort((a, b) => a - b));
  assert.deepEqual(drawn, scan.detections.map((d) => d.id).sort((a, b) => a - b));
  // Boxes sit where the API says (pixels of the full image).
  const first = scan.detections[0];
  const r = page.locator(`rect[data-detection-id="${first.id}"]`);
  assert.ok(Math.abs(Number(await r.getAttribute('x')) - first.bbox[0]) < 1);
  assert.ok(Math.abs(Number(await r.getAttribute('width')) - (first.bbox[2] - first.bbox[0])) < 1);
  const labels = await page.locator('[data-testid="scan-view"] text').allTextContents();
  assert.ok(labels.some((t) => t.startsWith(first.sku) && t.endsWith(`${Math.round(first.confidence * 100)}%`)), `labels: ${labels}`);
  await page.locator('[data-testid="scan-view"] img').evaluate((img) => img.decode());
  await screenshot(page, 'scan-view');

  const t = 0.6;
  await page.locator('#scan-threshold').fill(String(t));
  const above = scan.detections.filter((d) => d.confidence >= t).length;
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="scan-view"] rect[data-box]').length === n, above, { timeout: 5000 });
  assert.match(await page.getByTestId('box-count').innerText(), new RegExp(`Showing ${above} of ${scan.detections.length} boxes`));
  assert.deepEqual(page.errors, []);
});
