// The empty overview's "Load the demo store" button: the real model's detections appear on the
// page without a reload; an anonymous kiosk viewer is not offered the button.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { api, getJson, launchBrowser, screenshot, startServer } from './harness.mjs';

let server, browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the demo button loads the demo store and the overview fills live', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${server.base}/#/overview`);
  await page.getByTestId('empty-state').waitFor();
  await page.locator('[data-kpi="total_detections"][data-value="0"]').waitFor();
  const button = page.getByTestId('load-demo');
  await button.click();
  // The first demo scan arrives over the live feed and replaces the empty state.
  await page.getByTestId('empty-state').waitFor({ state: 'detached', timeout: 90_000 });
  const deadline = Date.now() + 90_000;
  while ((await getJson(server.base, '/api/scans?store=demo')).items.length < 5) {
    assert.ok(Date.now() < deadline, 'the demo store was not loaded in time');
    await new Promise((r) => setTimeout(r, 200));
  }
  const summary = await getJson(server.base, '/api/summary');
  assert.ok(summary.total_detections > 0);
  await page.locator(`[data-kpi="total_detections"][data-value="${summary.total_detections}"]`).waitFor({ timeout: 15_000 });
  await screenshot(page, 'demo-overview');
  assert.deepEqual(page.errors, []);
  const removed = await api(server.base, '/api/demo', { method: 'DELETE' });
  assert.equal(removed.status, 200);
});
