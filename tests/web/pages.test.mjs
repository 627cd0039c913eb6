// Planograms (create, edit, delete, CSV import and export), Inventory Analysis against the API,
// Models, and a screenshot of every page on a laptop and a tablet.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PHOTOS, api, getJson, launchBrowser, screenshot, startServer, uploadPhoto } from './harness.mjs';

let server, browser, page;
let shelfScan;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await uploadPhoto(server.base, path.join(PHOTOS, 'dog.jpg'), { store: 'north', shelf_location: 'aisle-1' });
  shelfScan = await uploadPhoto(server.base, path.join(PHOTOS, 'horses.jpg'), { store: 'north', shelf_location: 'aisle-1' });
  await uploadPhoto(server.base, path.join(PHOTOS, 'person.jpg'), { store: 'north', shelf_location: 'aisle-9' });
  page = await browser.newPage();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function planogramRows() {
  return getJson(server.base, '/api/planograms?planogram_name=front');
}

test('planogram rows are created, edited and deleted through the page', { timeout: 60_000 }, async () => {
  await page.goto(`${server.base}/#/planograms`);
  const skus = [...new Set(shelfScan.detections.map((d) => d.sku))];
  assert.ok(skus.length >= 1);
  const add = async (sku, count) => {
    await page.getByRole('button', { name: 'New row' }).click();
    const form = page.getByTestId('planogram-editor');
    await form.getByLabel('Planogram name').fill('front');
    await form.getByLabel('Shelf location').fill('aisle-1');
    await form.getByLabel('SKU').fill(sku);
    await form.getByLabel('Product name').fill(`Product ${sku}`);
    await form.getByLabel('Expected count').fill(String(count));
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByText('Planogram row created.').waitFor();
  };
  await add(skus[0], 5);
  await add('NOT-ON-SHELF', 2);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="planograms-table"] tbody tr').length === 2);
  let rows = await planogramRows();
  assert.equal(rows.length, 2);

  // Edit the second row's expected count.
  const second = rows.find((r) => r.sku === 'NOT-ON-SHELF');
  await page.locator(`tr[data-planogram-id="${second.id}"]`).getByRole('button', { name: /Edit/ }).click();
  await page.getByTestId('planogram-editor').getByLabel('Expected count').fill('3');
  await page.getByTestId('planogram-editor').getByRole('button', { name: 'Save' }).click();
  await page.getByText('Planogram row saved.').waitFor();
  rows = await planogramRows();
  assert.equal(rows.find((r) => r.id === second.id).expected_count, 3);

  // A bad value is refused in the form, with the field named.
  await page.getByRole('button', { name: 'New row' }).click();
  const form = page.getByTestId('planogram-editor');
  await form.getByLabel('Planogram name').fill('front');
  await form.getByLabel('Shelf location').fill('aisle-1');
  await form.getByLabel('SKU').fill('X');
  await form.getByLabel('Metadata (JSON)').fill('{not json');
  await form.getByRole('button', { name: 'Create' }).click();
  await form.getByText('meta_data must be JSON').waitFor();
  await form.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await planogramRows()).length, 2);

  // Delete (confirmed).
  page.once('dialog', (d) => d.accept());
  await page.locator(`tr[data-planogram-id="${second.id}"]`).getByRole('button', { name: /Delete/ }).click();
  await page.getByText(`Deleted row #${second.id}.`).waitFor();
  assert.equal((await planogramRows()).length, 1);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="planograms-table"] tbody tr').length === 1);
});

test('planograms import from CSV (a bad file imports nothing) and export to CSV', { timeout: 60_000 }, async () => {
  await page.goto(`${server.base}/#/planograms`);
  await page.getByTestId('planograms-table').waitFor();
  const header = 'planogram_name,sku,product_name,shelf_location,expected_count,x_position,y_position,meta_data';
  const good = [
    'front,MISSING-SKU,"Crackers, salted",aisle-1,4,0.5,0.25,"{""facings"": 2}"',
    'back,B-1,Biscuits,aisle-9,1,,,',
  ];
  const input = page.locator('input[type="file"][accept*="csv"]');
  const bad = [header, ...good, 'back,B-2,Bad row,aisle-9,many,,,'].join('\n');
  await input.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  const refusal = page.getByText(/Nothing imported from bad\.csv/);
  await refusal.waitFor();
  assert.match(await refusal.innerText(), /line 4: bad number in 'expected_count': 'many'/);
  assert.equal((await getJson(server.base, '/api/planograms')).length, 1, 'nothing imported from a file with a bad row');

  // An import replaces the rows of each planogram it names: "front" keeps only the file's row.
  await input.setInputFiles({ name: 'plan.csv', mimeType: 'text/csv', buffer: Buffer.from([header, ...good].join('\n')) });
  await page.getByText(/Imported 2 rows from plan\.csv/).waitFor();
  const all = await getJson(server.base, '/api/planograms');
  assert.equal(all.length, 2);
  const crackers = all.find((p) => p.sku === 'MISSING-SKU');
  assert.equal(crackers.product_name, 'Crackers, salted');
  assert.equal(crackers.x_position, 0.5);
  assert.deepEqual(crackers.meta_data, { facings: 2 });

  await page.waitForFunction(() => document.querySelectorAll('[data-testid="planograms-table"] tbody tr').length === 2);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  const text = fs.readFileSync(await download.path(), 'utf8');
  const lines = text.trim().split(/\r?\n/);
  assert.equal(lines[0], 'planogram_name,store,shelf_location,sku,product_name,expected_count,x_position,y_position,slot_x1,slot_y1,slot_x2,slot_y2,meta_data');
  assert.equal(lines.length, 3);
  assert.ok(lines.includes('front,,aisle-1,MISSING-SKU,"Crackers, salted",4,0.5,0.25,,,,,"{""facings"":2}"'), text);
  await screenshot(page, 'planograms');
});

test('inventory analysis shows the server\'s analysis of the latest scan of the shelf', { timeout: 60_000 }, async () => {
  // The scans came before the planogram: nothing is analysed until asked.
  await page.goto(`${server.base}/#/inventory?planogram=front&shelf=aisle-1`);
  await page.getByText('No analysis of shelf “aisle-1” yet').waitFor();
  await page.getByRole('button', { name: 'Analyse the latest scan' }).click();
  await page.getByTestId('inventory-table').waitFor();
  const { items } = await getJson(server.base, '/api/compliance?planogram_name=front&shelf_location=aisle-1&detail=true');
  assert.equal(items.length, 1);
  const result = items[0];
  assert.equal(result.scan_id, shelfScan.scan_id, 'the latest scan of the shelf');
  assert.match(await page.getByTestId('inventory-scan').innerText(), new RegExp(`Scan #${shelfScan.scan_id}`));
  const shown = await page.$$eval('[data-testid="inventory-table"] tbody tr', (rows) =>
    rows.map((r) => [r.dataset.sku, r.dataset.status, Number(r.dataset.expected), Number(r.dataset.detected)]));
  assert.deepEqual(shown, result.detail.skus.map((s) => [s.sku, s.status, s.expected, s.detected]));
  assert.equal(await page.locator('tr[data-sku="MISSING-SKU"] .chip').innerText(), 'Out of stock');
  await screenshot(page, 'inventory-analysed');

  // A shelf that has a planogram but no scan says so when asked to analyse.
  await page.goto(`${server.base}/#/planograms`);
  await page.getByRole('button', { name: 'New row' }).click();
  const form = page.getByTestId('planogram-editor');
  await form.getByLabel('Planogram name').fill('side');
  await form.getByLabel('Shelf location').fill('aisle-42');
  await form.getByLabel('SKU').fill('Z');
  await form.getByRole('button', { name: 'Create' }).click();
  await page.getByText('Planogram row created.').waitFor();
  await page.goto(`${server.base}/#/inventory?planogram=side&shelf=aisle-42`);
  await page.getByText('No analysis of shelf “aisle-42” yet').waitFor();
  await page.getByRole('button', { name: 'Analyse the latest scan' }).click();
  await page.getByText('No scan of shelf “aisle-42” yet.').waitFor();
});

test('models page lists versions and metrics from the API', { timeout: 60_000 }, async () => {
  const created = await (await api(server.base, '/api/models', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ version_name: 'shelf-v2', model_type: 'nanodet', model_path: 'models/shelf-v2.onnx', base_model: 'nanodet-416', epochs: 40, dataset_path: 'data/shelves', is_active: false }),
  })).json();
  await api(server.base, `/api/models/${created.id}/metrics`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ map50: 0.713, map50_95: 0.482, precision: 0.8, recall: 0.66, f1_score: 0.723, inference_time_ms: 41.5, test_dataset_path: 'data/shelves/test', num_test_images: 120 }),
  });
  await page.goto(`${server.base}/#/models`);
  const row = page.locator(`[data-testid="models-table"] tr[data-model-id="${created.id}"]`);
  await row.waitFor();
  const text = await row.innerText();
  for (const part of ['shelf-v2', 'nanodet-416', '40', '0.713', '0.482', '0.723', '41.5 ms', '120']) assert.ok(text.includes(part), `${part} in ${text}`);
  await screenshot(page, 'models');
});

test('every page renders on a laptop and a tablet', { timeout: 120_000 }, async () => {
  const routes = ['overview', 'records', 'detect', 'inventory?planogram=front&shelf=aisle-1', 'planograms', 'models', `scans/${shelfScan.scan_id}`];
  for (const [size, viewport] of [['laptop', { width: 1366, height: 800 }], ['tablet', { width: 820, height: 1180 }]]) {
    await page.setViewportSize(viewport);
    for (const r of routes) {
      await page.goto(`${server.base}/#/${r}`);
      await page.locator('[data-testid="last-updated"] time, form[data-testid="detect-form"]').first().waitFor();
      await page.waitForLoadState('networkidle').catch(() => {});
      // Nothing wider than the screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${r} on a ${size} overflows by ${overflow}px`);
      await screenshot(page, `${size}-${r.split(/[?/]/)[0]}`);
    }
  }
  // Keyboard: the navigation is reachable and shows focus.
  await page.setViewportSize({ width: 1366, height: 800 });
  await page.goto(`${server.base}/#/overview`);
  await page.reload();
  await page.getByTestId('user-menu').waitFor(); // the dashboard shows once the session is known
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  assert.deepEqual(page.errors, []);
});
