// An empty store: every page says so and what to do next; no figures or rows are invented.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, launchBrowser, screenshot, startServer } from './harness.mjs';

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an empty store shows empty states on every page', { timeout: 90_000 }, async () => {
  const summary = await getJson(server.base, '/api/summary');
  assert.equal(summary.total_detections, 0);
  const page = await browser.newPage();

  await page.goto(`${server.base}/#/overview`);
  const empty = page.getByTestId('empty-state');
  await empty.waitFor();
  assert.match(await empty.innerText(), /No scans yet[\s\S]*Detect[\s\S]*visionstock detect/);
  await page.locator('[data-kpi="total_detections"][data-value="0"]').waitFor();
  const kpis = await page.$$eval('[data-kpi]', (els) => els.map((e) => [e.dataset.kpi, e.querySelector('.kpi-value').textContent]));
  assert.deepEqual(Object.fromEntries(kpis), {
    total_detections: '0',
    unique_skus: '0',
    average_confidence: '—',
    unique_classes: '0',
    total_scans: '0',
  });
  await page.getByTestId('activity-empty').waitFor();
  await page.getByTestId('latest-empty').waitFor();
  assert.equal(await page.locator('[data-testid="latest-scans"] li').count(), 0);
  await screenshot(page, 'empty-overview');

  await page.goto(`${server.base}/#/records`);
  await page.getByText('No detections yet').waitFor();
  assert.equal(await page.locator('[data-testid="records-table"]').count(), 0);
  assert.match(await page.getByTestId('match-summary').innerText(), /^0 matching detections in 0 scans/);
  await screenshot(page, 'empty-records');

  await page.goto(`${server.base}/#/inventory`);
  await page.getByText('No planograms yet').waitFor();
  assert.match(await page.getByTestId('empty-state').innerText(), /Planograms/);
  await screenshot(page, 'empty-inventory');

  await page.goto(`${server.base}/#/compliance`);
  await page.getByText('No compliance results yet').waitFor();
  assert.equal(await page.locator('[data-testid="alerts-table"]').count(), 0);

  await page.goto(`${server.base}/#/planograms`);
  await page.getByText('No planograms yet').waitFor();
  assert.match(await page.getByTestId('empty-state').innerText(), /planogram_name,store,shelf_location,sku,product_name,expected_count/);
  await screenshot(page, 'empty-planograms');

  await page.goto(`${server.base}/#/models`);
  const models = await getJson(server.base, '/api/models');
  if (models.length === 0) {
    await page.getByText('No model versions registered').waitFor();
  } else {
    await page.getByTestId('models-table').waitFor();
  }
  await page.getByTestId('running-model').waitFor();
  await screenshot(page, 'empty-models');

  await page.goto(`${server.base}/#/scans/999999`);
  await page.getByText('This scan does not exist').waitFor();

  await page.goto(`${server.base}/#/detect`);
  await page.getByRole('button', { name: 'Upload and detect' }).waitFor();
  await screenshot(page, 'empty-detect');
  assert.deepEqual(page.errors, []);
});
