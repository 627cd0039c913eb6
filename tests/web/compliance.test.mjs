// Planogram compliance in the dashboard, end to end with the real server and model: a planogram
// CSV imported on the Planograms page (a bad file refused whole), a real photo of that shelf, then
// Inventory Analysis shows the statuses the server computed and a new alert appears live on the
// Store Compliance page without a reload, where an operator acknowledges it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { PHOTOS, getJson, launchBrowser, screenshot, startServer, uploadPhoto, waitLive } from './harness.mjs';

let server, browser, page;
let probe; // what the real model finds in horses.jpg

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await browser.newPage();
  // Learn the photo's SKUs on a shelf that has no planogram (so nothing is analysed yet).
  probe = await uploadPhoto(server.base, path.join(PHOTOS, 'horses.jpg'), { store: 'north', shelf_location: 'probe' });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const countsOf = (detections) => {
  const c = {};
  for (const d of detections) c[d.sku] = (c[d.sku] || 0) + 1;
  return c;
};

test('import a planogram, photograph the shelf: statuses on Inventory Analysis, a live alert to acknowledge', { timeout: 180_000 }, async () => {
  const counts = countsOf(probe.detections);
  const [sku, n] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
  assert.ok(n >= 1, 'the model finds something in horses.jpg');

  await page.goto(`${server.base}/#/planograms`);
  const input = page.locator('input[type="file"][accept*="csv"]');
  // A file with one bad row imports nothing and names the line.
  const bad = ['planogram_name,store,shelf_location,sku,product_name,expected_count',
    `yard,north,aisle-c,${sku},Seen product,${n}`, 'yard,north,aisle-c,MISSING-SKU,Never there,-2'].join('\n');
  await input.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.getByText(/Nothing imported from bad\.csv/).waitFor();
  assert.match(await page.getByText(/Nothing imported from bad\.csv/).innerText(), /line 3: negative expected_count/);
  assert.equal((await getJson(server.base, '/api/planograms?planogram_name=yard')).length, 0);
  const good = ['planogram_name,store,shelf_location,sku,product_name,expected_count',
    `yard,north,aisle-c,${sku},Seen product,${n}`, 'yard,north,aisle-c,MISSING-SKU,Never there,3'].join('\n');
  await input.setInputFiles({ name: 'plan.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.getByText(/Imported 2 rows from plan\.csv \(yard is now version 1\)/).waitFor();

  // The store page is open and live before the photo arrives.
  await page.goto(`${server.base}/#/compliance?store=north`);
  await waitLive(page);
  await page.getByTestId('alerts-panel').waitFor();
  assert.equal(await page.locator('[data-testid="alerts-table"] tr[data-alert-id]').count(), 0);
  const scan = await uploadPhoto(server.base, path.join(PHOTOS, 'horses.jpg'), { store: 'north', shelf_location: 'aisle-c' });
  const alertRow = page.locator('[data-testid="alerts-table"] tr[data-alert-id]', { hasText: 'MISSING-SKU' });
  await alertRow.waitFor({ timeout: 30_000 }); // pushed live: no reload
  const alerts = await getJson(server.base, '/api/alerts?status=open&store=north');
  const oos = alerts.find((a) => a.sku === 'MISSING-SKU');
  assert.equal(oos.type, 'OUT_OF_STOCK');
  assert.equal(await alertRow.getAttribute('data-alert-id'), String(oos.id));
  await page.locator('[data-testid="store-shelves"] tr[data-shelf="aisle-c"]').waitFor();
  await page.locator('[data-testid="store-actions"] li[data-sku="MISSING-SKU"]').waitFor();
  await screenshot(page, 'store-compliance');

  // An operator acknowledges it from the page.
  page.once('dialog', (d) => d.accept('restocking now'));
  await alertRow.getByRole('button', { name: 'Acknowledge' }).click();
  await page.locator(`tr[data-alert-id="${oos.id}"][data-status="acknowledged"]`).waitFor();
  const acked = await getJson(server.base, `/api/alerts/${oos.id}`);
  assert.equal(acked.status, 'acknowledged');
  assert.equal(acked.acknowledged_by, 'admin');
  assert.equal(acked.note, 'restocking now');

  // Inventory Analysis shows exactly what the server computed for that scan.
  await page.goto(`${server.base}/#/inventory?store=north&planogram=yard&shelf=aisle-c`);
  await page.getByTestId('inventory-table').waitFor();
  const { items } = await getJson(server.base, '/api/compliance?store=north&planogram_name=yard&detail=true');
  assert.equal(items.length, 1);
  const result = items[0];
  assert.equal(result.scan_id, scan.scan_id);
  const shown = await page.$$eval('[data-testid="inventory-table"] tbody tr', (rows) =>
    rows.map((r) => ({ sku: r.dataset.sku, status: r.dataset.status, expected: Number(r.dataset.expected), detected: Number(r.dataset.detected) })));
  assert.deepEqual(shown, result.detail.skus.map((s) => ({ sku: s.sku, status: s.status, expected: s.expected, detected: s.detected })));
  assert.equal(shown.find((r) => r.sku === 'MISSING-SKU').status, 'OUT_OF_STOCK');
  assert.equal(shown.find((r) => r.sku === sku).status, 'OK');
  assert.equal(await page.getByTestId('planogram-version').innerText(), 'version 1');
  const kpi = await page.$$eval('[data-testid="compliance-kpis"] [data-kpi]', (els) => Object.fromEntries(els.map((e) => [e.dataset.kpi, e.dataset.value])));
  assert.equal(Number(kpi.compliance_score), result.kpis.compliance_score);
  assert.equal(Number(kpi.availability), result.kpis.availability);
  await page.getByTestId('compliance-view').waitFor();
  assert.equal(await page.locator('[data-testid="compliance-view"] rect[data-box]').count(), scan.detections.length);
  await page.locator('input[data-layer="detections"]').uncheck();
  assert.equal(await page.locator('[data-testid="compliance-view"] rect[data-box]').count(), 0);
  await page.getByTestId('compliance-chart').waitFor();
  await screenshot(page, 'inventory');
  assert.deepEqual(page.errors, []);
});
